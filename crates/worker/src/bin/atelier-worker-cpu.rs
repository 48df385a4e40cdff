//! The CPU-only engine worker's entry point: the same engine as `atelier-worker`, built without
//! WebGPU (no `gpu` feature), for browsers that give no GPU adapter and for `?backend=cpu`.

fn main() {
    #[cfg(target_arch = "wasm32")]
    {
        atelier_browser::run_constructors();
        atelier_worker::start();
    }
}
