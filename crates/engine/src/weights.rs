//! A network's tensors as plain `f32`s on the CPU ([`Weights`]), read from and written into a
//! [`Network`] by walking its modules, in the same order both ways; and a whole model file's
//! network.

use burn::module::{Module, ModuleMapper, ModuleVisitor, Param};
use burn::prelude::*;
use burn::tensor::Transaction;
use std::future::Future;

use atelier_core::saved::{NamedTensor, SavedModel, SavedModelError, Weights};
use atelier_core::train::{History, TrainConfig};

use crate::network::Network;

/// A network's weights read out of it and written into it.
pub trait NetworkWeights: Sized {
    /// Reads every tensor of `network` with one awaited transaction: a synchronous read panics
    /// in a browser, and one transaction is one GPU round trip, not one per tensor.
    fn read(network: &Network) -> impl Future<Output = Result<Self, SavedModelError>>;

    /// `network` with these tensors in place of its own; its shapes must match one for one.
    fn load_into(&self, network: Network) -> Result<Network, SavedModelError>;
}

impl NetworkWeights for Weights {
    async fn read(network: &Network) -> Result<Self, SavedModelError> {
        let mut collector = Collector::default();
        network.visit(&mut collector);
        let data = collector
            .transaction
            .execute_async()
            .await
            .map_err(|e| SavedModelError::Device(format!("{e:?}")))?;
        let tensors = collector
            .entries
            .into_iter()
            .zip(data)
            .map(|((name, shape), data)| NamedTensor {
                name,
                shape,
                values: data.iter::<f32>().collect(),
            })
            .collect();
        Ok(Self { tensors })
    }

    fn load_into(&self, network: Network) -> Result<Network, SavedModelError> {
        let mut assigner = Assigner {
            tensors: &self.tensors,
            next: 0,
            problem: None,
        };
        let network = network.map(&mut assigner);
        if let Some(problem) = assigner.problem {
            return Err(SavedModelError::Invalid(problem));
        }
        if assigner.next != self.tensors.len() {
            return Err(SavedModelError::Invalid(format!(
                "it holds {} tensors, the architecture has {}",
                self.tensors.len(),
                assigner.next
            )));
        }
        Ok(network)
    }
}

/// Registers each float tensor in one transaction, remembering its name and shape.
#[derive(Default)]
struct Collector {
    path: Vec<String>,
    entries: Vec<(String, Vec<usize>)>,
    transaction: Transaction,
}

impl ModuleVisitor for Collector {
    fn enter_module(&mut self, name: &str, _container_type: &str) {
        self.path.push(name.to_string());
    }

    fn exit_module(&mut self, _name: &str, _container_type: &str) {
        self.path.pop();
    }

    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let tensor = param.val();
        self.entries
            .push((self.path.join("."), tensor.dims().to_vec()));
        let transaction = std::mem::take(&mut self.transaction);
        self.transaction = transaction.register(tensor);
    }
}

/// Replaces each float tensor with the next saved one, on the tensor's own device.
struct Assigner<'a> {
    tensors: &'a [NamedTensor],
    next: usize,
    problem: Option<String>,
}

impl ModuleMapper for Assigner<'_> {
    fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
        let index = self.next;
        self.next += 1;
        if self.problem.is_some() {
            return param;
        }
        let Some(saved) = self.tensors.get(index) else {
            return param;
        };
        let wanted = param.val().dims();
        if saved.shape != wanted {
            self.problem = Some(format!(
                "tensor {} ({}) has shape {:?}, the architecture needs {:?}",
                index + 1,
                saved.name,
                saved.shape,
                wanted
            ));
            return param;
        }
        param.map(|old| {
            let data = TensorData::new(saved.values.clone(), wanted);
            Tensor::<D>::from_data(data, &old.device()).set_require_grad(old.is_require_grad())
        })
    }
}

/// A model file's network: captured from a trained network, and built back on a device.
pub trait SavedNetwork: Sized {
    /// Reads the weights of `network` (awaiting the device, as a browser requires) and keeps
    /// them with the rest.
    fn capture(
        network: &Network,
        origin: &str,
        settings: &TrainConfig,
        history: &History,
        test_accuracy: Option<f32>,
    ) -> impl Future<Output = Result<Self, SavedModelError>>;

    /// The network on `device`, with these weights.
    fn network(&self, device: &Device) -> Result<Network, SavedModelError>;
}

impl SavedNetwork for SavedModel {
    async fn capture(
        network: &Network,
        origin: &str,
        settings: &TrainConfig,
        history: &History,
        test_accuracy: Option<f32>,
    ) -> Result<Self, SavedModelError> {
        Ok(Self {
            origin: origin.to_string(),
            settings: settings.clone(),
            history: history.clone(),
            test_accuracy,
            weights: Weights::read(network).await?,
        })
    }

    fn network(&self, device: &Device) -> Result<Network, SavedModelError> {
        let fresh = Network::new(&self.settings.model, device)
            .map_err(|e| SavedModelError::Invalid(e.to_string()))?;
        self.weights.load_into(fresh)
    }
}
