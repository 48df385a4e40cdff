//! The WebGPU engine worker's entry point (built by Trunk for wasm32 with the `gpu` feature:
//! WebGPU and the CPU backend).

fn main() {
    #[cfg(target_arch = "wasm32")]
    {
        atelier_browser::run_constructors();
        atelier_worker::start();
    }
}
