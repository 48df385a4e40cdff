//! Every training run and grid-search trial, kept in the browser's storage as it goes: the
//! core's [`RunRecord`] follows the loop's events and is written at the start, after each
//! epoch and at the end, when the run's model joins it (room made by the core's rule). A run
//! under way holds its lock, so that a record left by a closed or crashed tab is known as such.

use std::collections::VecDeque;

use wasm_bindgen_futures::spawn_local;

use atelier_browser::protocol::Reply;
use atelier_browser::runs_store::{self, StoredRun, is_full, refusal};
use atelier_core::runs::{
    KeptModel, RunData, RunEvaluation, RunKind, RunRecord, make_room, run_id, runs_quota,
};
use atelier_core::train::{TrainConfig, TrainEvent};

/// One run's record, kept up to date.
pub struct RunWriter {
    record: RunRecord,
    /// A trial's model, captured after its last epoch.
    model: Option<Vec<u8>>,
}

impl RunWriter {
    /// A run starting now, on `data`, at `place`: its lock asked for, its first record queued.
    pub fn start(settings: &TrainConfig, kind: RunKind, data: RunData, place: &str) -> Self {
        let now = js_sys::Date::now();
        let id = run_id(now, js_sys::Math::random());
        let record = RunRecord::new(id, now, place.to_string(), data, settings.clone(), kind);
        runs_store::hold(&record.id);
        let writer = Self {
            record,
            model: None,
        };
        writer.save();
        writer
    }

    pub fn settings(&self) -> &TrainConfig {
        &self.record.settings
    }

    /// Follows an event; the record is written when it says more than a batch's loss. The end
    /// is written once, by [`Self::finish`] (with the model) or [`Self::abandon`], before the
    /// lock is released: a record that said "done" before its model was in would show a
    /// finished run without one meanwhile, and one released while still saying "running" would
    /// be settled by a page as left by a closed tab.
    pub fn on_event(&mut self, event: &TrainEvent) {
        self.record.record(event, js_sys::Date::now());
        if !matches!(
            event,
            TrainEvent::Batch(_) | TrainEvent::Finished { .. } | TrainEvent::Error { .. }
        ) {
            self.save();
        }
    }

    /// Keeps `model` to be written with the last record (a trial's).
    pub fn set_model(&mut self, model: Vec<u8>) {
        self.model = Some(model);
    }

    /// Writes the record as it is now (the store keeps the writes in order).
    fn save(&self) {
        spawn_local(write(self.record.clone()));
    }

    /// The run is over: its validation, test accuracy and model join the record, which is
    /// written a last time; the lock is released; the page hears what was kept.
    pub async fn finish(
        mut self,
        validation: Option<RunEvaluation>,
        test_accuracy: Option<f32>,
        model: Option<Vec<u8>>,
    ) {
        self.record.validation = validation;
        self.record.test_accuracy = test_accuracy;
        if let Some(model) = model {
            self.model = Some(model);
        }
        let reply = self.keep().await;
        runs_store::release(&self.record.id);
        crate::reply(&reply);
    }

    /// A run that ended without a model (failed): its record is written a last time, then its
    /// lock released.
    pub async fn abandon(self) {
        write(self.record.clone()).await;
        runs_store::release(&self.record.id);
    }

    /// Writes the last record with the model, first dropping the oldest runs' models when the
    /// storage rule says so; when the browser still refuses for want of space, drops one more
    /// each time, and in the end keeps the record alone.
    async fn keep(&mut self) -> Reply {
        let name = self.record.name.clone();
        let Some(model) = self.model.take() else {
            let problem = runs_store::put_run(&self.record, None, &[])
                .await
                .err()
                .map(|e| refusal(&e));
            return Reply::RunKept {
                name,
                model_kept: false,
                dropped: Vec::new(),
                problem,
            };
        };
        // Held until the record and model are written, so that another run ending meanwhile
        // (this tab's next one, another tab's) counts this one's model as taken.
        let _room = runs_store::room().await;
        let stored = runs_store::records().await.unwrap_or_default();
        let mut others: Vec<RunRecord> = stored
            .iter()
            .map(|s| s.record.clone())
            .filter(|r| r.id != self.record.id && r.kept_model_bytes() > 0)
            .collect();
        others.sort_by(|a, b| a.started_at.total_cmp(&b.started_at));
        let used: u64 = stored.iter().map(StoredRun::bytes).sum();
        let estimate = runs_store::estimate().await;
        let cap = estimate.capped.then_some(estimate.quota as u64);
        let quota = runs_quota(estimate.usage, estimate.quota, used, cap);
        let incoming = model.len() as u64;
        let kept: Vec<KeptModel> = others
            .iter()
            .map(|r| KeptModel {
                id: r.id.clone(),
                started_at: r.started_at,
                bytes: r.model_bytes,
            })
            .collect();
        let room = make_room(&kept, used, quota, incoming);
        if !room.fits {
            let problem = format!(
                "its model ({:.1} MB) does not fit in the {:.1} MB the browser gives runs, even \
                 with older models dropped: the record is kept without it",
                incoming as f64 / 1e6,
                quota as f64 / 1e6
            );
            return self.keep_record_only(name, Vec::new(), problem).await;
        }
        let mut dropping = room.drop.len();
        loop {
            let drops: Vec<RunRecord> = others[..dropping]
                .iter()
                .cloned()
                .map(|mut r| {
                    r.model_dropped = true;
                    r
                })
                .collect();
            self.record.model_bytes = incoming;
            self.record.model_dropped = false;
            match runs_store::put_run(&self.record, Some(&model), &drops).await {
                Ok(()) => {
                    return Reply::RunKept {
                        name,
                        model_kept: true,
                        dropped: drops.into_iter().map(|r| r.name).collect(),
                        problem: None,
                    };
                }
                Err(error) if is_full(&error) && dropping < others.len() => dropping += 1,
                Err(error) => {
                    let dropped = Vec::new();
                    return self.keep_record_only(name, dropped, refusal(&error)).await;
                }
            }
        }
    }

    async fn keep_record_only(&mut self, name: String, dropped: Vec<String>, why: String) -> Reply {
        self.record.model_bytes = 0;
        let problem = match runs_store::put_run(&self.record, None, &[]).await {
            Ok(()) => why,
            Err(error) => format!(
                "{why}; the record was not written either ({})",
                refusal(&error)
            ),
        };
        Reply::RunKept {
            name,
            model_kept: false,
            dropped,
            problem: Some(problem),
        }
    }
}

/// Writes a record without a model; a refusal is said in the console (the run goes on).
async fn write(record: RunRecord) {
    if let Err(error) = runs_store::put_run(&record, None, &[]).await {
        web_sys::console::warn_1(
            &format!("the run's record was not written: {}", refusal(&error)).into(),
        );
    }
}

/// The records of a grid search's trials: a new one at each trial's start, in the order of
/// the trials' settings.
pub struct TrialWriters {
    pending: VecDeque<TrainConfig>,
    total: usize,
    data: RunData,
    place: String,
    current: Option<RunWriter>,
}

impl TrialWriters {
    pub fn new(trials: Vec<TrainConfig>, data: RunData, place: &str) -> Self {
        Self {
            total: trials.len(),
            pending: trials.into(),
            data,
            place: place.to_string(),
            current: None,
        }
    }

    /// The trial under way, if any.
    pub fn current(&mut self) -> Option<&mut RunWriter> {
        self.current.as_mut()
    }

    pub fn on_event(&mut self, event: &TrainEvent) {
        if let TrainEvent::Started { .. } = event
            && let Some(settings) = self.pending.pop_front()
        {
            let number = self.total - self.pending.len();
            let kind = RunKind::Trial {
                number,
                of: self.total,
            };
            self.current = Some(RunWriter::start(
                &settings,
                kind,
                self.data.clone(),
                &self.place,
            ));
        }
        let Some(writer) = self.current.as_mut() else {
            return;
        };
        writer.on_event(event);
        if matches!(
            event,
            TrainEvent::Finished { .. } | TrainEvent::Error { .. }
        ) && let Some(writer) = self.current.take()
        {
            spawn_local(writer.finish(None, None, None));
        }
    }
}
