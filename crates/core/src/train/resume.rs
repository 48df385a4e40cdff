//! Where an interrupted run picks up: after the last epoch its model file (or the page's kept
//! model) recorded, when its settings planned more and nothing ended it on purpose.

use super::{History, TrainConfig, TrainError};

/// The first epoch still to train when the run that `history` records, with `config`, goes on;
/// an error that says why not when it has nothing left to do. The engine's loop owns how it
/// goes on (the same split and image order, the schedule where it was).
pub fn resumes_at(config: &TrainConfig, history: &History) -> Result<usize, TrainError> {
    let done = history.epochs.len();
    if done == 0 {
        return Err(TrainError::Config(
            "this model has no finished epoch to continue from: Train starts a new run".into(),
        ));
    }
    if history
        .epochs
        .iter()
        .enumerate()
        .any(|(index, epoch)| epoch.epoch != index + 1)
    {
        return Err(TrainError::Config(
            "this model's history is not one run's (its epochs are not numbered 1, 2, 3...): Train starts a new run".into(),
        ));
    }
    if done >= config.epochs {
        return Err(TrainError::Config(format!(
            "this model finished its {} planned epochs: Train starts a new run",
            config.epochs
        )));
    }
    if let (Some(patience), Some(best)) = (config.early_stopping, best_epoch(history))
        && done - best >= patience
    {
        return Err(TrainError::Config(format!(
            "this run stopped early after epoch {done} (no better validation loss for {patience} epochs): Train starts a new run"
        )));
    }
    Ok(done + 1)
}

/// The epoch with the lowest validation loss, if any epoch was validated.
fn best_epoch(history: &History) -> Option<usize> {
    history
        .epochs
        .iter()
        .filter_map(|e| e.val_loss.map(|loss| (loss, e.epoch)))
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, epoch)| epoch)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::preset;
    use crate::train::EpochMetrics;

    fn history(val_losses: &[f32]) -> History {
        let mut history = History::default();
        for (index, &loss) in val_losses.iter().enumerate() {
            history.epochs.push(EpochMetrics {
                epoch: index + 1,
                train_loss: 0.5,
                val_loss: Some(loss),
                val_accuracy: Some(0.8),
                images_per_second: 100.0,
                seconds: 1.0,
            });
        }
        history
    }

    fn config(epochs: usize) -> TrainConfig {
        TrainConfig::new(preset("baseline").unwrap()).with_epochs(epochs)
    }

    fn refusal(config: &TrainConfig, history: &History) -> String {
        resumes_at(config, history).unwrap_err().to_string()
    }

    #[test]
    fn an_interrupted_run_resumes_after_its_last_epoch() {
        assert_eq!(resumes_at(&config(3), &history(&[0.5])).unwrap(), 2);
        assert_eq!(resumes_at(&config(3), &history(&[0.5, 0.4])).unwrap(), 3);
    }

    #[test]
    fn a_finished_or_empty_run_has_nothing_to_resume() {
        assert!(refusal(&config(2), &history(&[0.5, 0.4])).contains("finished its 2 planned"));
        assert!(refusal(&config(2), &history(&[])).contains("no finished epoch"));
        let mut renumbered = history(&[0.5, 0.4]);
        renumbered.epochs[1].epoch = 5;
        assert!(refusal(&config(9), &renumbered).contains("not one run's"));
    }

    #[test]
    fn a_run_that_stopped_early_is_not_resumed_but_one_within_its_patience_is() {
        let patient = config(10).with_early_stopping(Some(2));
        // Best at epoch 1, two epochs without better: it stopped.
        assert!(refusal(&patient, &history(&[0.3, 0.4, 0.5])).contains("stopped early"));
        // Best at epoch 2, one epoch since: it was interrupted.
        assert_eq!(resumes_at(&patient, &history(&[0.4, 0.3, 0.5])).unwrap(), 4);
    }
}
