//! The page's entry point (built by Trunk for wasm32 with `--features web`).

fn main() {
    #[cfg(target_arch = "wasm32")]
    {
        atelier::web::run_constructors();
        atelier::web::page::start();
    }
}
