//! The page (built by Trunk for wasm32 from index.html): DOM, charts and the drawing pad, wired
//! to the engine's Web Worker through `atelier_browser`'s protocol. It depends on the core only:
//! no Burn in its WebAssembly. Natively it is an empty program.

#[cfg(target_arch = "wasm32")]
mod page;

fn main() {
    #[cfg(target_arch = "wasm32")]
    {
        atelier_browser::run_constructors();
        page::start();
    }
}
