//! The runs kept in this browser (`www/runs.js`, IndexedDB), as the page and the engine's worker
//! call them. Records travel as the core's JSON text ([`atelier_core::runs::RunRecord`]); the
//! user's name and note are kept beside it.

use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use atelier_core::runs::RunRecord;

/// A record as stored: the run, with the user's name and note put back in.
pub struct StoredRun {
    pub record: RunRecord,
    /// The record's JSON as stored (its size counts in the storage meter).
    pub stored_bytes: u64,
}

impl StoredRun {
    /// What the run takes in the browser's storage: its record and its model, if kept.
    pub fn bytes(&self) -> u64 {
        self.stored_bytes + self.record.kept_model_bytes()
    }
}

/// What the browser gives this origin, in bytes (`capped`: by the page's `storage-quota`).
#[derive(Clone, Copy, Debug, Default)]
pub struct Estimate {
    pub usage: f64,
    pub quota: f64,
    pub capped: bool,
}

fn store() -> Option<JsValue> {
    Reflect::get(&js_sys::global(), &"atelierRuns".into())
        .ok()
        .filter(|s| !s.is_undefined())
}

/// Calls `atelierRuns.name(args...)` and awaits its promise; an error as (name, message).
async fn call(name: &str, args: &[JsValue]) -> Result<JsValue, (String, String)> {
    let unavailable = || {
        (
            "Unavailable".to_string(),
            "this browser gives the page no storage".to_string(),
        )
    };
    let store = store().ok_or_else(unavailable)?;
    let function: Function = Reflect::get(&store, &name.into())
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or_else(unavailable)?;
    let args: Array = args.iter().collect();
    let result = function
        .apply(&store, &args)
        .map_err(|e| crate::js::error_parts(&e))?;
    JsFuture::from(Promise::resolve(&result))
        .await
        .map_err(|e| crate::js::error_parts(&e))
}

fn set(object: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(object, &key.into(), value);
}

fn json(record: &RunRecord) -> String {
    serde_json::to_string(record).expect("records are plain data")
}

/// `{ id, json }`: a record as `www/runs.js` takes it.
fn entry(record: &RunRecord) -> Object {
    let entry = Object::new();
    set(&entry, "id", &record.id.as_str().into());
    set(&entry, "json", &json(record).into());
    entry
}

fn bytes_value(bytes: Option<&[u8]>) -> JsValue {
    bytes.map_or(JsValue::NULL, |b| Uint8Array::from(b).into())
}

/// Why the store refused, in words.
pub fn refusal((name, message): &(String, String)) -> String {
    match name.as_str() {
        "QuotaExceededError" => "the browser's storage is full".into(),
        "InvalidStateError" | "UnknownError" | "Unavailable" => {
            "the browser's storage is unavailable (private browsing, or blocked)".into()
        }
        name => format!("the browser's storage refused it ({name}: {message})"),
    }
}

/// True when the refusal is a full storage.
pub fn is_full((name, _): &(String, String)) -> bool {
    name == "QuotaExceededError"
}

/// Writes `record` (and its model, when given), first dropping the models of `drops` and
/// writing their records as given, all in one transaction. The stored name and note stay.
pub async fn put_run(
    record: &RunRecord,
    model: Option<&[u8]>,
    drops: &[RunRecord],
) -> Result<(), (String, String)> {
    let list: Array = drops
        .iter()
        .map(|drop| JsValue::from(entry(drop)))
        .collect();
    call(
        "putRun",
        &[
            record.id.as_str().into(),
            json(record).into(),
            record.name.as_str().into(),
            bytes_value(model),
            list.into(),
        ],
    )
    .await
    .map(|_| ())
}

/// Writes `record`, a run left running by a closed or crashed tab and now settled, unless the
/// stored record no longer says running (its run ended since it was read).
pub async fn settle(record: &RunRecord) -> Result<(), (String, String)> {
    call("settle", &[record.id.as_str().into(), json(record).into()])
        .await
        .map(|_| ())
}

/// Stores runs read from a file, all or none.
pub async fn import_runs(runs: &[(RunRecord, Option<Vec<u8>>)]) -> Result<(), String> {
    let list = Array::new();
    for (record, model) in runs {
        let entry = entry(record);
        set(&entry, "name", &record.name.as_str().into());
        set(&entry, "note", &record.note.as_str().into());
        set(&entry, "model", &bytes_value(model.as_deref()));
        list.push(&entry);
    }
    call("importRuns", &[list.into()])
        .await
        .map(|_| ())
        .map_err(|e| refusal(&e))
}

/// Sets a run's name and note.
pub async fn rename(id: &str, name: &str, note: &str) -> Result<(), String> {
    call("rename", &[id.into(), name.into(), note.into()])
        .await
        .map(|_| ())
        .map_err(|e| refusal(&e))
}

/// Deletes runs, records and models.
pub async fn remove(ids: &[String]) -> Result<(), String> {
    let list: Array = ids.iter().map(|id| JsValue::from(id.as_str())).collect();
    call("remove", &[list.into()])
        .await
        .map(|_| ())
        .map_err(|e| refusal(&e))
}

/// Every stored run this build can read (a record it cannot is left out, and said in the
/// console).
pub async fn records() -> Result<Vec<StoredRun>, String> {
    let list = call("records", &[]).await.map_err(|e| refusal(&e))?;
    let mut runs = Vec::new();
    for entry in Array::from(&list).iter() {
        let text = |key: &str| {
            Reflect::get(&entry, &key.into())
                .ok()
                .and_then(|v| v.as_string())
                .unwrap_or_default()
        };
        let json = text("json");
        match serde_json::from_str::<RunRecord>(&json) {
            Ok(mut record) => {
                record.name = text("name");
                record.note = text("note");
                runs.push(StoredRun {
                    record,
                    stored_bytes: json.len() as u64,
                });
            }
            Err(error) => {
                web_sys::console::warn_1(&format!("a kept run could not be read: {error}").into())
            }
        }
    }
    Ok(runs)
}

/// A run's model file, if it is kept.
pub async fn model(id: &str) -> Result<Option<Vec<u8>>, String> {
    let value = call("model", &[id.into()]).await.map_err(|e| refusal(&e))?;
    Ok((!value.is_undefined() && !value.is_null()).then(|| Uint8Array::new(&value).to_vec()))
}

/// What the browser gives this origin.
pub async fn estimate() -> Estimate {
    let Ok(value) = call("estimate", &[]).await else {
        return Estimate::default();
    };
    let number = |key: &str| {
        Reflect::get(&value, &key.into())
            .ok()
            .and_then(|v| v.as_f64())
            .unwrap_or(0.0)
    };
    Estimate {
        usage: number("usage"),
        quota: number("quota"),
        capped: Reflect::get(&value, &"capped".into()).is_ok_and(|v| v.is_truthy()),
    }
}

/// The right to apply the storage rule, held until dropped: one run at a time reads what is kept
/// and writes by it, in every tab (`atelierRuns.room`, a Web Lock). Without the store or Web
/// Locks it holds nothing.
pub struct RoomLock(Option<Function>);

/// Waits for the [`RoomLock`].
pub async fn room() -> RoomLock {
    RoomLock(call("room", &[]).await.ok().and_then(|f| f.dyn_into().ok()))
}

impl Drop for RoomLock {
    fn drop(&mut self) {
        if let Some(release) = self.0.take() {
            let _ = release.call0(&JsValue::NULL);
        }
    }
}

/// Asks for the run's lock, held until [`release`]: its record is live while the lock is held
/// or asked for.
pub fn hold(id: &str) {
    call_now("hold", id);
}

pub fn release(id: &str) {
    call_now("release", id);
}

/// Calls `atelierRuns.name(id)` without waiting for what it returns.
fn call_now(name: &str, id: &str) {
    let function = store().and_then(|store| {
        let f = Reflect::get(&store, &name.into())
            .ok()?
            .dyn_into::<Function>()
            .ok()?;
        Some((store, f))
    });
    if let Some((store, function)) = function {
        let _ = function.call1(&store, &id.into());
    }
}

/// The runs under way in some tab.
pub async fn live() -> Vec<String> {
    call("live", &[])
        .await
        .map(|list| {
            Array::from(&list)
                .iter()
                .filter_map(|v| v.as_string())
                .collect()
        })
        .unwrap_or_default()
}

/// Calls `callback` whenever any tab or worker has written runs.
pub fn on_change(callback: impl Fn() + 'static) {
    let Some(store) = store() else { return };
    let Ok(function) =
        Reflect::get(&store, &"onChange".into()).and_then(|f| f.dyn_into::<Function>())
    else {
        return;
    };
    let closure = Closure::<dyn Fn()>::new(callback);
    let _ = function.call1(&store, closure.as_ref());
    closure.forget();
}
