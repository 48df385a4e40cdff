//! The CPU-only engine worker's entry point: the same engine as `atelier-worker`, built without
//! WebGPU (`--features web`), for browsers that give no GPU adapter and for `?backend=cpu`.

fn main() {
    #[cfg(target_arch = "wasm32")]
    {
        atelier::web::run_constructors();
        atelier::web::worker::start();
    }
}
