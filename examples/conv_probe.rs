//! The first layer of every preset (a 3x3 convolution of the one-channel image) on the CPU
//! backend: Burn's `Conv2d::forward` against `one_channel_conv::forward` (src/model), while
//! training (forward and both gradients) and in inference (forward only), median of 15 runs
//! after one warm-up. Figures in BENCHMARKS.md.
//!   cargo run --release --example conv_probe
use std::time::Instant;

use atelier::model::one_channel_conv;
use burn::nn::PaddingConfig2d;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::prelude::*;
use burn::tensor::Distribution;

const RUNS: usize = 15;

fn median_ms(mut run: impl FnMut()) -> f64 {
    run();
    let mut times: Vec<f64> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            run();
            start.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[RUNS / 2]
}

/// Forward, then backward through a sum; reads the weight's gradient back.
fn train_step(conv: &Conv2d, images: &Tensor<4>, ours: bool) {
    let output = if ours {
        one_channel_conv::forward(conv, images.clone())
    } else {
        conv.forward(images.clone())
    };
    let grads = output.sum().backward();
    let gradient = conv.weight.grad(&grads).unwrap();
    std::hint::black_box(gradient.into_data());
}

fn main() {
    println!("| layer | batch | mode | Burn's conv2d, ms | one matrix product, ms | ratio |");
    println!("|---|---|---|---|---|---|");
    // (filters, kernel, padding, the preset it starts, batches).
    let same = |p| PaddingConfig2d::Explicit(p, p, p, p);
    let layers = [
        (
            10,
            3,
            PaddingConfig2d::Valid,
            "baseline: 10 3x3 valid",
            &[32, 64, 256][..],
        ),
        (32, 3, same(1), "default: 32 3x3 same", &[32, 64, 256][..]),
        (256, 5, same(2), "alexnet: 256 5x5 same", &[32][..]),
    ];
    for (filters, kernel, padding, name, batches) in layers {
        for &batch in batches {
            let training = Device::flex().autodiff();
            let conv = Conv2dConfig::new([1, filters], [kernel, kernel])
                .with_padding(padding.clone())
                .init(&training);
            let images = Tensor::<4>::random([batch, 1, 28, 28], Distribution::Default, &training);
            assert!(one_channel_conv::applies(&conv, &images));
            let burn = median_ms(|| train_step(&conv, &images, false));
            let ours = median_ms(|| train_step(&conv, &images, true));
            println!(
                "| {name} | {batch} | training | {burn:.2} | {ours:.2} | {:.2}x |",
                burn / ours
            );

            let inference = conv.valid();
            let images = images.inner();
            let burn = median_ms(|| {
                std::hint::black_box(inference.forward(images.clone()).into_data());
            });
            let ours = median_ms(|| {
                let output = one_channel_conv::forward(&inference, images.clone());
                std::hint::black_box(output.into_data());
            });
            println!(
                "| {name} | {batch} | inference | {burn:.2} | {ours:.2} | {:.2}x |",
                burn / ours
            );
        }
    }
}
