//! Subnormal floats in `baseline`'s training on the CPU backend, in-process and so without the
//! command line's flush-to-zero mode: as the browser's CPU engine runs. Trains it as the command
//! line does (Adam at 0.001, batch 32, one thread, 16,000 of the first 20,000 images).
//!
//! `census`: every 300 steps, counts the values below f32's normal range (and those whose square
//! is) in the batch's probabilities, each parameter, its gradient, and Adam's two moments
//! (recomputed here as Burn's Adam computes them: its own are private).
//! `timing`: trains with Adam's state flushed every `FLUSH_EVERY` steps (what the training
//! loop does on the CPU backend) and without, alternated, and prints each epoch's images/s and
//! the validation loss at the end (the flush must not change it).
//! Figures in BENCHMARKS.md ("Subnormals").
//!   cargo run --release --example subnormal_probe -- census|timing [EPOCHS] [ROUNDS]
use burn::module::{ModuleVisitor, Param};
use burn::prelude::*;
use burn::tensor::activation::log_softmax;

use atelier_core::data::Dataset;
use atelier_core::data::{SeededRng, parse_idx_pair, split_indices};
use atelier_core::model::preset;
use atelier_core::train::{LossKind, OptimizerKind};
use atelier_engine::Network;
use atelier_engine::batch_images;
use atelier_engine::subnormals::FlushClock;
use atelier_engine::{BuildOptimizer, Loss};
use burn::optim::GradientsParams;
use std::time::Instant;

const DATA: &str = "/usr/share/datasets/fashion-mnist";
const SMALLEST_NORMAL: f32 = f32::MIN_POSITIVE;

#[derive(Default, Clone, Copy)]
struct Count {
    values: usize,
    subnormal: usize,
    square_underflows: usize,
}

impl Count {
    fn of(values: &[f32]) -> Self {
        let mut count = Count {
            values: values.len(),
            ..Count::default()
        };
        for &v in values {
            let a = v.abs();
            if a > 0.0 && a < SMALLEST_NORMAL {
                count.subnormal += 1;
            }
            if a > 0.0 && a * a < SMALLEST_NORMAL {
                count.square_underflows += 1;
            }
        }
        count
    }

    fn show(&self) -> String {
        format!(
            "{:>8} values: {:>7} subnormal ({:5.2}%), {:>7} square underflows ({:5.2}%)",
            self.values,
            self.subnormal,
            100.0 * self.subnormal as f64 / self.values as f64,
            self.square_underflows,
            100.0 * self.square_underflows as f64 / self.values as f64
        )
    }
}

/// Counts each parameter's values, and its gradient's where gradients are given.
struct Census<'a> {
    gradients: Option<&'a GradientsParams>,
    rows: Vec<String>,
    index: usize,
}

/// Adam's two moments per parameter, kept here as Burn's Adam keeps them (beta 0.9 and 0.999),
/// since its own state is private.
struct Moments<'a> {
    gradients: &'a GradientsParams,
    moments: &'a mut Vec<(Vec<f32>, Vec<f32>)>,
    index: usize,
    report: bool,
}

impl ModuleVisitor for Moments<'_> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let gradient: Vec<f32> = self
            .gradients
            .get::<D>(param.id)
            .map(|g| g.into_data().try_to_vec::<f32>().unwrap())
            .unwrap_or_default();
        if self.moments.len() <= self.index {
            self.moments.push((
                gradient.iter().map(|g| g * 0.1).collect(),
                gradient.iter().map(|g| g * g * 0.001).collect(),
            ));
        } else {
            let (m, v) = &mut self.moments[self.index];
            for ((m, v), g) in m.iter_mut().zip(v.iter_mut()).zip(&gradient) {
                *m = *m * 0.9 + g * 0.1;
                *v = *v * 0.999 + g * g * 0.001;
            }
        }
        if self.report {
            let (m, v) = &self.moments[self.index];
            println!(
                "    #{} m: {}\n    #{} v: {}",
                self.index + 1,
                Count::of(m).show(),
                self.index + 1,
                Count::of(v).show()
            );
        }
        self.index += 1;
    }
}

impl ModuleVisitor for Census<'_> {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        self.index += 1;
        let values = match self.gradients {
            Some(gradients) => match gradients.get::<D>(param.id) {
                Some(gradient) => gradient.into_data().try_to_vec::<f32>().unwrap(),
                None => return,
            },
            None => param.val().into_data().try_to_vec::<f32>().unwrap(),
        };
        let dims = param.val().dims();
        self.rows.push(format!(
            "    #{} {:?}: {}",
            self.index,
            dims,
            Count::of(&values).show()
        ));
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_else(|| "census".into());
    let epochs: usize = args.next().map_or(3, |a| a.parse().expect("EPOCHS"));
    let rounds: usize = args.next().map_or(2, |a| a.parse().expect("ROUNDS"));
    let _ = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build_global();
    let read = |name: &str| {
        let bytes =
            std::fs::read(format!("{DATA}/{name}")).expect("apt-get install dataset-fashion-mnist");
        atelier_core::data::inflate_if_gzip(&bytes)
            .unwrap()
            .into_owned()
    };
    let images = read("train-images-idx3-ubyte.gz");
    let labels = read("train-labels-idx1-ubyte.gz");
    let dataset = parse_idx_pair(&images, &labels).unwrap().truncated(20_000);
    match mode.as_str() {
        "census" => {
            train(&dataset, epochs, None, true);
        }
        "timing" => {
            let mut rows = Vec::new();
            for round in 1..=rounds {
                // Alternate which goes first, so a drift in the machine's speed hits both.
                let order = if round % 2 == 1 {
                    [false, true]
                } else {
                    [true, false]
                };
                for flushed in order {
                    let clock = flushed.then(FlushClock::default);
                    let (speeds, validation_loss) = train(&dataset, epochs, clock, false);
                    let name = if flushed { "flushed" } else { "unflushed" };
                    let row: Vec<String> = speeds.iter().map(|s| format!("{s:>7.0}")).collect();
                    println!(
                        "round {round} {name:>9}: images/s by epoch {}; validation loss {validation_loss}",
                        row.join(" ")
                    );
                    rows.push((flushed, speeds));
                }
            }
            for epoch in 0..epochs {
                let median_of = |flushed: bool| {
                    let v: Vec<f64> = rows
                        .iter()
                        .filter(|r| r.0 == flushed)
                        .map(|r| r.1[epoch])
                        .collect();
                    median(v)
                };
                let (off, on) = (median_of(false), median_of(true));
                // Each round's two runs ran back to back: their ratio is the steadier figure.
                let ratios: Vec<f64> = rows
                    .chunks(2)
                    .map(|pair| {
                        let (off, on) = if pair[0].0 {
                            (&pair[1], &pair[0])
                        } else {
                            (&pair[0], &pair[1])
                        };
                        on.1[epoch] / off.1[epoch]
                    })
                    .collect();
                let shown: Vec<String> = ratios.iter().map(|r| format!("{r:.2}x")).collect();
                println!(
                    "epoch {}: median unflushed {off:.0}, flushed {on:.0} images/s; flushed/unflushed by round {}, median {:.2}x",
                    epoch + 1,
                    shown.join(" "),
                    median(ratios)
                );
            }
        }
        other => panic!("unknown mode {other:?}: census or timing"),
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    (values[(values.len() - 1) / 2] + values[values.len() / 2]) / 2.0
}

/// Trains `baseline` for `epochs`, flushing Adam's state as `clock` says; returns each epoch's
/// images/s and the validation loss at the end. With `census`, prints the counts every 300 steps.
fn train(
    dataset: &Dataset,
    epochs: usize,
    clock: Option<FlushClock>,
    census: bool,
) -> (Vec<f64>, f32) {
    let split = split_indices(dataset.len(), 0.2, 12345);
    let device = Device::flex();
    device.seed(12345);
    let training = device.clone().autodiff();
    let mut model = Network::new(&preset("baseline").unwrap(), &training).unwrap();
    let mut optimizer = OptimizerKind::Adam.init(0.0, 0.0, clock.as_ref());
    let mut rng = SeededRng::new(12345);
    let mut order = split.train.clone();
    let mut step = 0;
    let mut moments = Vec::new();
    let mut speeds = Vec::new();
    for epoch in 1..=epochs {
        rng.shuffle(&mut order);
        let start = Instant::now();
        for chunk in order.chunks(32) {
            step += 1;
            let batch = batch_images(dataset, chunk, &training);
            let labels = batch.labels.unwrap();
            let logits = model.forward(batch.images);
            let report = census && step % 300 == 0;
            if report {
                let log_p = log_softmax(logits.clone().detach(), 1)
                    .into_data()
                    .try_to_vec::<f32>()
                    .unwrap();
                let p: Vec<f32> = log_p.iter().map(|l| l.exp()).collect();
                println!(
                    "epoch {epoch} step {step}:\n  probabilities {}",
                    Count::of(&p).show()
                );
            }
            let loss = LossKind::CrossEntropy.mean(logits, labels);
            let gradients = GradientsParams::from_grads(loss.backward(), &model);
            if report {
                for (title, gradients) in [("gradients", Some(&gradients)), ("parameters", None)] {
                    let mut census = Census {
                        gradients,
                        rows: Vec::new(),
                        index: 0,
                    };
                    model.visit(&mut census);
                    println!("  {title}:\n{}", census.rows.join("\n"));
                }
                println!("  Adam's moments:");
            }
            if census {
                model.visit(&mut Moments {
                    gradients: &gradients,
                    moments: &mut moments,
                    index: 0,
                    report,
                });
            }
            model = optimizer.step(0.001, model, gradients);
            if let Some(clock) = &clock {
                clock.tick();
            }
        }
        speeds.push(order.len() as f64 / start.elapsed().as_secs_f64());
    }
    let validation = batch_images(dataset, &split.validation, &device);
    let loss = LossKind::CrossEntropy.mean(
        model.valid().forward(validation.images),
        validation.labels.unwrap(),
    );
    (speeds, loss.into_scalar::<f32>())
}
