//! The WebGPU engine worker's entry point (built by Trunk for wasm32 with `--features web,gpu`).

fn main() {
    #[cfg(target_arch = "wasm32")]
    {
        atelier::web::run_constructors();
        atelier::web::worker::start();
    }
}
