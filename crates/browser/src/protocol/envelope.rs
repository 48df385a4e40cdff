//! How a message travels between the page and the worker, both ways: its JSON text under
//! `json`, and beside it the bytes that come with it, never copied: a request's files (`File`
//! handles the worker reads itself, or transferred `ArrayBuffer`s) under `contents`, a reply's
//! bytes (a model file) as one transferred `ArrayBuffer` under `buffer`.

use js_sys::{Array, ArrayBuffer, Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};

use super::{Reply, Request};

/// A message ready for `postMessage`, and what it transfers.
pub struct Envelope {
    pub message: JsValue,
    pub transfer: Array,
}

fn field(data: &JsValue, name: &str) -> Option<JsValue> {
    Reflect::get(data, &name.into())
        .ok()
        .filter(|v| !v.is_undefined())
}

fn json_of(data: &JsValue) -> Option<String> {
    field(data, "json").and_then(|j| j.as_string())
}

/// A request, with the files it carries (`File`s or `ArrayBuffer`s; buffers are transferred).
pub fn request(request: &Request, contents: &[JsValue]) -> Envelope {
    let message = Object::new();
    let list = Array::new();
    let transfer = Array::new();
    for content in contents {
        list.push(content);
        if content.is_instance_of::<ArrayBuffer>() {
            transfer.push(content);
        }
    }
    let json = serde_json::to_string(request).unwrap_or_default();
    let _ = Reflect::set(&message, &"json".into(), &json.into());
    let _ = Reflect::set(&message, &"contents".into(), &list);
    Envelope {
        message: message.into(),
        transfer,
    }
}

/// A request as the worker receives it, with its files.
pub fn open_request(data: &JsValue) -> Result<(Request, Vec<JsValue>), String> {
    let json = json_of(data).ok_or("a message without its request")?;
    let request = serde_json::from_str(&json).map_err(|e| e.to_string())?;
    let contents = field(data, "contents")
        .and_then(|c| c.dyn_into::<Array>().ok())
        .map(|array| array.iter().collect())
        .unwrap_or_default();
    Ok((request, contents))
}

/// A reply, with `bytes` beside it when it carries some (copied once into a buffer that is
/// then transferred).
pub fn reply(reply: &Reply, bytes: Option<&[u8]>) -> Envelope {
    let message = Object::new();
    let transfer = Array::new();
    let json = serde_json::to_string(reply).unwrap_or_default();
    let _ = Reflect::set(&message, &"json".into(), &json.into());
    if let Some(bytes) = bytes {
        let buffer = Uint8Array::from(bytes).buffer();
        let _ = Reflect::set(&message, &"buffer".into(), &buffer);
        transfer.push(&buffer);
    }
    Envelope {
        message: message.into(),
        transfer,
    }
}

/// A reply as the page receives it, with its bytes when it carries some.
pub fn open_reply(data: &JsValue) -> Result<(Reply, Option<Vec<u8>>), String> {
    let json = json_of(data).ok_or("a message without its reply")?;
    let reply = serde_json::from_str(&json).map_err(|e| e.to_string())?;
    let bytes = field(data, "buffer")
        .and_then(|b| b.dyn_into::<ArrayBuffer>().ok())
        .map(|buffer| Uint8Array::new(&buffer).to_vec());
    Ok((reply, bytes))
}
