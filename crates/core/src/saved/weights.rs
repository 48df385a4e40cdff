//! A network's tensors as plain `f32`s, in the network's own order: what a model file stores.
//! Reading them from a network and writing them into one is the engine's
//! (`atelier_engine::NetworkWeights`).

/// One tensor: its place in the network (e.g. `layers.0.conv.weight`), shape and values.
#[derive(Clone, Debug, PartialEq)]
pub struct NamedTensor {
    pub name: String,
    pub shape: Vec<usize>,
    pub values: Vec<f32>,
}

/// Every float tensor of a network (parameters and batch-norm running statistics).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Weights {
    pub tensors: Vec<NamedTensor>,
}

impl Weights {
    /// How many `f32`s in all.
    pub fn value_count(&self) -> usize {
        self.tensors.iter().map(|t| t.values.len()).sum()
    }
}
