//! Optimizer state kept clear of subnormal floats, for the CPU backend's speed.
//!
//! The running averages that optimizers keep for a weight that stops getting a gradient (any
//! weight into or out of a ReLU unit that no longer fires) shrink by a constant factor every
//! step: Adam's and AdamW's moments, SGD's momentum, RMSprop's average of squares. They fall into
//! f32's subnormal range below 1.2e-38 and stay there, since once tiny enough `0.9 * m` rounds
//! back to `m`. In `baseline` that is a third of its dense layer's first moments from the middle
//! of epoch 2 (`cargo run --release --example subnormal_probe -- census`), and x86 processors
//! compute with subnormals through a slow path: on an Intel host, epoch 3 trained 3.2x slower
//! than with the processor flushing them (BENCHMARKS.md, "Subnormals"). The command line sets
//! that flush for the whole process, but WebAssembly has no such switch, so the browser's CPU
//! engine needs this.
//!
//! A value that small moves no weight, so setting it to zero changes no result. The flush runs
//! every [`FLUSH_EVERY`] steps, not every step, to keep its cost out of sight: a value that
//! underflows in between is slow for at most that many steps, then zero for good (zero times 0.9
//! stays zero). It reads the state as Burn records it (every optimizer's state can be flattened
//! to named values and rebuilt), so it needs no knowledge of each optimizer's fields, many of
//! them private; but it reads the values back from the device, so the training loop uses it on
//! the CPU backend only, where that is a copy in memory. GPUs flush subnormals themselves or
//! compute with them at full speed.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use burn::optim::{LearningRate, Optimizer, RecordState, StateSink, StateSource};
use burn::prelude::*;

/// Steps between two flushes.
pub const FLUSH_EVERY: usize = 50;

/// Tells [`Flushed`] optimizers which step it is: the training loop ticks it after each.
#[derive(Clone, Debug, Default)]
pub struct FlushClock(Arc<AtomicUsize>);

impl FlushClock {
    /// One step done.
    pub fn tick(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }

    /// Whether the coming step flushes: the last of every [`FLUSH_EVERY`].
    fn due(&self) -> bool {
        (self.0.load(Ordering::Relaxed) + 1).is_multiple_of(FLUSH_EVERY)
    }
}

/// Sets the subnormal values among `values` to zero.
pub fn flush(values: &mut [f32]) {
    for value in values {
        if value.abs() < f32::MIN_POSITIVE {
            *value = 0.0;
        }
    }
}

/// `state` with the subnormal values of every `f32` tensor in it set to zero, rebuilt on
/// `device`.
pub fn flush_state<S: RecordState>(state: S, device: &Device) -> S {
    let mut sink = StateSink::default();
    state.state_flatten("", &mut sink);
    let mut source = StateSource::new(sink.scalars.into_iter().collect());
    for (name, mut data) in sink.tensors {
        if let Ok(values) = data.as_mut_slice::<f32>() {
            flush(values);
        }
        source.insert_tensor(name, data);
    }
    // It rebuilds what it flattened a moment ago; keep the state as it was should it not.
    S::state_unflatten("", &mut source, device).unwrap_or(state)
}

/// `optimizer`, with its state flushed every [`FLUSH_EVERY`] steps of `clock`.
#[derive(Clone)]
pub struct Flushed<O> {
    pub optimizer: O,
    pub clock: FlushClock,
}

impl<O: Optimizer> Optimizer for Flushed<O> {
    type State<const D: usize> = O::State<D>;

    fn step<const D: usize>(
        &self,
        lr: LearningRate,
        tensor: Tensor<D>,
        grad: Tensor<D>,
        state: Option<Self::State<D>>,
    ) -> (Tensor<D>, Option<Self::State<D>>) {
        let (tensor, state) = self.optimizer.step(lr, tensor, grad, state);
        if self.clock.due() {
            let device = tensor.device();
            (tensor, state.map(|state| flush_state(state, &device)))
        } else {
            (tensor, state)
        }
    }

    fn to_device<const D: usize>(state: Self::State<D>, device: &Device) -> Self::State<D> {
        O::to_device(state, device)
    }
}

#[cfg(test)]
mod tests {
    use burn::optim::momentum::MomentumConfig;
    use burn::optim::{AdamConfig, AdamWConfig, RmsPropConfig, SgdConfig};

    use super::*;

    fn values(tensor: Tensor<1>) -> Vec<f32> {
        tensor.into_data().try_to_vec::<f32>().unwrap()
    }

    fn subnormal(value: f32) -> bool {
        value != 0.0 && value.abs() < f32::MIN_POSITIVE
    }

    /// Every value of every tensor in `state`.
    fn state_values<S: RecordState>(state: &S) -> Vec<f32> {
        let mut sink = StateSink::default();
        state.state_flatten("", &mut sink);
        sink.tensors
            .into_iter()
            .flat_map(|(_, data)| data.try_to_vec::<f32>().unwrap())
            .collect()
    }

    /// Two weights that get a gradient for a few steps and then none, as those into a ReLU unit
    /// that stops firing, trained for 1,500 steps by `optimizer` as Burn has it and wrapped in
    /// [`Flushed`]: Burn's leaves some of its state stuck among the subnormals, the wrapper none,
    /// and the weights come out the same, bit for bit.
    fn assert_dead_weights_state_flushed<O: Optimizer>(optimizer: O) {
        let device = Device::flex();
        let clock = FlushClock::default();
        let flushed = Flushed {
            optimizer: optimizer.clone(),
            clock: clock.clone(),
        };
        let start = Tensor::<1>::from_floats([0.5, -0.25], &device);
        let (mut plain_weights, mut flushed_weights) = (start.clone(), start);
        let (mut plain_state, mut flushed_state) = (None, None);
        for step in 0..1_500 {
            let gradient = if step < 10 {
                Tensor::<1>::from_floats([0.01, -0.02], &device)
            } else {
                Tensor::<1>::zeros([2], &device)
            };
            (plain_weights, plain_state) =
                optimizer.step(1e-3, plain_weights, gradient.clone(), plain_state);
            (flushed_weights, flushed_state) =
                flushed.step(1e-3, flushed_weights, gradient, flushed_state);
            clock.tick();
        }
        let plain = state_values(&plain_state.unwrap());
        assert!(
            plain.iter().filter(|&&v| subnormal(v)).count() >= 2,
            "as Burn has it: {plain:?}"
        );
        let flushed = state_values(&flushed_state.unwrap());
        assert!(
            !flushed.iter().any(|&v| subnormal(v)),
            "flushed: {flushed:?}"
        );
        assert_eq!(values(plain_weights), values(flushed_weights));
    }

    #[test]
    fn adam_state_of_weights_without_gradient_is_flushed() {
        assert_dead_weights_state_flushed(AdamConfig::new().build());
    }

    #[test]
    fn adamw_state_of_weights_without_gradient_is_flushed() {
        assert_dead_weights_state_flushed(AdamWConfig::new().build());
    }

    #[test]
    fn rmsprop_state_of_weights_without_gradient_is_flushed() {
        assert_dead_weights_state_flushed(
            RmsPropConfig::new()
                .with_alpha(0.9)
                .with_momentum(0.0)
                .build(),
        );
    }

    #[test]
    fn sgd_momentum_of_weights_without_gradient_is_flushed() {
        let momentum = MomentumConfig {
            momentum: 0.9,
            dampening: 0.0,
            nesterov: false,
        };
        assert_dead_weights_state_flushed(SgdConfig::new().with_momentum(Some(momentum)).build());
    }

    #[test]
    fn flush_zeroes_subnormals_only() {
        let tiny = f32::MIN_POSITIVE / 4.0;
        let mut values = [tiny, -tiny, f32::MIN_POSITIVE, -1e-30, 0.0, 3.0];
        flush(&mut values);
        assert_eq!(values, [0.0, 0.0, f32::MIN_POSITIVE, -1e-30, 0.0, 3.0]);
    }
}
