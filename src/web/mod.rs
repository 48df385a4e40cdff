//! The browser face (wasm32 only), two programs: the page (main thread: DOM, charts) and the
//! engine (a dedicated Web Worker: data, device, model, training), talking through
//! [`protocol`] messages. The page never parses or trains, so it never freezes.

mod js;
pub mod page;
mod protocol;
pub mod worker;
