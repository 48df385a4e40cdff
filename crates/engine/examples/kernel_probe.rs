//! `default`'s layers while training on the CPU backend at batch 64, Burn's own against
//! crates/engine/src/cpu_kernels: the forward pass and every gradient (input and parameters),
//! median of 15 interleaved runs after one warm-up each. Figures in BENCHMARKS.md, "CPU kernels".
//!   cargo run --release --example kernel_probe
use std::time::Instant;

use atelier_engine::cpu_kernels::{batch_norm, conv, dropout, max_pool};
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::pool::{MaxPool2d, MaxPool2dConfig};
use burn::nn::{BatchNorm, BatchNormConfig, Dropout, DropoutConfig, PaddingConfig2d};
use burn::prelude::*;
use burn::tensor::Distribution;
use burn::tensor::activation::relu;

const RUNS: usize = 15;
const BATCH: usize = 64;

enum Layer {
    /// With its ReLU, as `default` has it.
    ConvRelu(Conv2d),
    Norm(BatchNorm),
    Pool(MaxPool2d),
    Dropout(Dropout),
}

impl Layer {
    fn forward(&self, x: Tensor<4>, ours: bool) -> Tensor<4> {
        match (self, ours) {
            (Layer::ConvRelu(layer), true) => conv::forward_relu(layer, x),
            (Layer::ConvRelu(layer), false) => relu(layer.forward(x)),
            (Layer::Norm(layer), true) => batch_norm::forward(layer, x),
            (Layer::Norm(layer), false) => layer.forward(x),
            (Layer::Pool(layer), true) => max_pool::forward(layer, x),
            (Layer::Pool(layer), false) => layer.forward(x),
            (Layer::Dropout(layer), true) => dropout::forward(layer, x),
            (Layer::Dropout(layer), false) => layer.forward(x),
        }
    }
}

/// Forward, then backward through a weighted sum; reads the input's gradient back.
fn train_step(layer: &Layer, input: &Tensor<4>, weights: &Tensor<4>, ours: bool) -> f64 {
    let start = Instant::now();
    let output = layer.forward(input.clone(), ours);
    let grads = (output * weights.clone()).sum().backward();
    std::hint::black_box(input.grad(&grads).unwrap().into_data());
    start.elapsed().as_secs_f64() * 1e3
}

fn median(mut times: Vec<f64>) -> f64 {
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

fn main() {
    let device = Device::flex().autodiff();
    let same = PaddingConfig2d::Explicit(1, 1, 1, 1);
    let conv = |channels, filters| {
        Layer::ConvRelu(
            Conv2dConfig::new([channels, filters], [3, 3])
                .with_padding(same.clone())
                .init(&device),
        )
    };
    let layers = [
        (
            "conv + ReLU 1 -> 32, 28x28",
            conv(1, 32),
            [BATCH, 1, 28, 28],
        ),
        (
            "conv + ReLU 32 -> 64, 14x14",
            conv(32, 64),
            [BATCH, 32, 14, 14],
        ),
        (
            "conv + ReLU 64 -> 128, 7x7",
            conv(64, 128),
            [BATCH, 64, 7, 7],
        ),
        (
            "batch-norm, 32 x 28x28",
            Layer::Norm(BatchNormConfig::new(32).init(&device)),
            [BATCH, 32, 28, 28],
        ),
        (
            "max-pool 2x2, 32 x 28x28",
            Layer::Pool(MaxPool2dConfig::new([2, 2]).init()),
            [BATCH, 32, 28, 28],
        ),
        (
            "dropout 0.3, 1152 features",
            Layer::Dropout(DropoutConfig::new(0.3).init()),
            [BATCH, 128, 3, 3],
        ),
    ];
    println!("| `default`'s layer, batch {BATCH} | Burn's, ms | cpu_kernels, ms | ratio |");
    println!("|---|---|---|---|");
    for (name, layer, shape) in layers {
        let input = Tensor::<4>::random(shape, Distribution::Default, &device).require_grad();
        let output_shape = layer.forward(input.clone(), false).shape();
        let weights = Tensor::<4>::random(output_shape, Distribution::Default, &device);
        let (mut burns, mut ours) = (Vec::new(), Vec::new());
        for _ in 0..=RUNS {
            burns.push(train_step(&layer, &input, &weights, false));
            ours.push(train_step(&layer, &input, &weights, true));
        }
        // The first run of each is the warm-up.
        let (burn, ours) = (median(burns.split_off(1)), median(ours.split_off(1)));
        println!("| {name} | {burn:.2} | {ours:.2} | {:.2}x |", burn / ours);
    }
}
