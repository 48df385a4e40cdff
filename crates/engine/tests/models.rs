//! The layer specification, its validation and summary, and the Burn modules built from it.

use atelier_core::model::{Activation, LayerSpec, ModelSpec, Padding, Shape, preset};

use atelier_engine::Network;
use burn::module::Module;
use burn::prelude::*;

#[test]
fn baseline_has_the_notebooks_433454_parameters() {
    let summary = preset("baseline").unwrap().summary().unwrap();
    assert_eq!(summary.total_parameters(), 433_454);
    let shapes: Vec<String> = summary
        .layers
        .iter()
        .map(|l| l.output.to_string())
        .collect();
    assert_eq!(shapes, ["(26, 26, 10)", "(6760)", "(64)", "(10)"]);
    let params: Vec<u64> = summary.layers.iter().map(|l| l.parameters).collect();
    assert_eq!(params, [100, 0, 432_704, 650]);
    assert!(summary.to_string().ends_with("total parameters: 433454"));
    // 26 * 26 outputs of 10 filters over 3 * 3 pixels, then the two dense layers.
    let work: Vec<u64> = summary.layers.iter().map(|l| l.multiply_adds).collect();
    assert_eq!(work, [60_840, 0, 432_640, 640]);
    assert_eq!(summary.total_multiply_adds(), 494_120);
}

#[test]
fn default_does_most_of_its_work_in_the_two_wider_convolutions() {
    let summary = preset("default").unwrap().summary().unwrap();
    let convolutions: Vec<u64> = summary
        .layers
        .iter()
        .filter(|l| l.description.starts_with("conv2d"))
        .map(|l| l.multiply_adds)
        .collect();
    // 28x28x32 outputs of 3x3x1 inputs; 14x14x64 of 3x3x32; 7x7x128 of 3x3x64.
    assert_eq!(convolutions, [225_792, 3_612_672, 3_612_672]);
    assert_eq!(summary.total_multiply_adds(), 7_599_872);
}

#[test]
fn alexnet_has_the_notebooks_61750530_parameters() {
    let summary = preset("alexnet").unwrap().summary().unwrap();
    assert_eq!(summary.total_parameters(), 61_750_530);
    let batch_norm_statistics: u64 = summary
        .layers
        .iter()
        .filter(|l| l.description == "batch-norm")
        .map(|l| l.parameters / 2)
        .sum();
    assert_eq!(batch_norm_statistics, 2_560);
    let flatten = summary
        .layers
        .iter()
        .find(|l| l.description == "flatten")
        .unwrap();
    assert_eq!(flatten.output, Shape::Flat(6 * 6 * 256));
}

/// What the core expects a model file to list is what the engine's network holds, tensor by
/// tensor, for every layer kind (the model file reader refuses any other list before it builds
/// a network).
#[test]
fn the_cores_tensor_shapes_are_the_networks() {
    use atelier_core::saved::Weights;
    use atelier_engine::NetworkWeights;
    let device = Device::flex();
    let every_kind = ModelSpec::from_json(
        r#"[{"type":"conv2d","filters":4,"kernel":5,"stride":2,"padding":"same","activation":"elu"},
            {"type":"batch-norm"},{"type":"avg-pool","size":2},{"type":"max-pool","size":3,"stride":1},
            {"type":"dropout","rate":0.2},{"type":"flatten"},{"type":"batch-norm"},
            {"type":"dense","units":7,"activation":"tanh"},{"type":"dense","units":10}]"#,
    )
    .unwrap();
    let specs = ["baseline", "default", "alexnet"]
        .map(|name| preset(name).unwrap())
        .into_iter()
        .chain([every_kind]);
    for spec in specs {
        let expected = spec.tensor_shapes().unwrap();
        let network = Network::new(&spec, &device).unwrap();
        let weights = pollster::block_on(Weights::read(&network)).unwrap();
        let held: Vec<Vec<usize>> = weights.tensors.into_iter().map(|t| t.shape).collect();
        assert_eq!(held, expected, "{}", spec.to_json());
    }
}

#[test]
fn burn_modules_hold_the_same_parameters_as_the_summary() {
    let device = Device::flex();
    for name in ["baseline", "default"] {
        let spec = preset(name).unwrap();
        let summary = spec.summary().unwrap();
        let network = Network::new(&spec, &device).unwrap();
        // Burn, like Keras, counts batch-norm's running mean and variance.
        assert_eq!(
            network.num_params() as u64,
            summary.total_parameters(),
            "{name}"
        );
        let logits = network.forward(Tensor::zeros([3, 1, 28, 28], &device));
        assert_eq!(logits.dims(), [3, 10]);
    }
}

#[test]
fn every_layer_kind_and_activation_builds_and_runs() {
    let activations = [
        Activation::Relu,
        Activation::Sigmoid,
        Activation::Tanh,
        Activation::Gelu,
        Activation::LeakyRelu,
        Activation::Elu,
    ];
    let mut layers = vec![];
    for (i, activation) in activations.iter().enumerate() {
        layers.push(LayerSpec::Conv2d {
            filters: 4 + i,
            kernel: 3,
            stride: 1,
            padding: Padding::Same,
            activation: *activation,
        });
    }
    layers.extend([
        LayerSpec::BatchNorm,
        LayerSpec::AvgPool {
            size: 2,
            stride: None,
        },
        LayerSpec::Conv2d {
            filters: 8,
            kernel: 3,
            stride: 2,
            padding: Padding::Same,
            activation: Activation::Relu,
        },
        LayerSpec::MaxPool {
            size: 3,
            stride: Some(2),
        },
        LayerSpec::Dropout { rate: 0.2 },
        LayerSpec::Flatten,
        LayerSpec::Dense {
            units: 16,
            activation: Activation::Elu,
        },
        LayerSpec::BatchNorm,
        LayerSpec::Dense {
            units: 10,
            activation: Activation::None,
        },
    ]);
    let spec = ModelSpec::new(layers);
    let summary = spec.summary().unwrap();
    // 28 -> avg-pool 14 -> conv stride 2 same 7 -> max-pool 3/2 3.
    let flatten = summary
        .layers
        .iter()
        .find(|l| l.description == "flatten")
        .unwrap();
    assert_eq!(flatten.output, Shape::Flat(3 * 3 * 8));
    let device = Device::flex();
    let network = Network::new(&spec, &device).unwrap();
    assert_eq!(
        network
            .forward(Tensor::ones([2, 1, 28, 28], &device))
            .dims(),
        [2, 10]
    );
}

fn error_of(layers: Vec<LayerSpec>) -> String {
    ModelSpec::new(layers).validate().unwrap_err().to_string()
}

fn dense10() -> LayerSpec {
    LayerSpec::Dense {
        units: 10,
        activation: Activation::None,
    }
}

#[test]
fn a_pool_that_shrinks_the_image_below_1x1_is_explained() {
    let pool = || LayerSpec::MaxPool {
        size: 2,
        stride: None,
    };
    let message = error_of(vec![
        pool(),
        pool(),
        pool(),
        pool(),
        pool(),
        LayerSpec::Flatten,
        dense10(),
    ]);
    assert_eq!(
        message,
        "layer 5: max-pool 2x2 does not fit a 1x1 input: the image would shrink below 1x1"
    );
}

#[test]
fn invalid_stacks_are_explained() {
    let conv = LayerSpec::Conv2d {
        filters: 8,
        kernel: 3,
        stride: 1,
        padding: Padding::Valid,
        activation: Activation::Relu,
    };
    assert_eq!(error_of(vec![]), "the model has no layers");
    assert_eq!(
        error_of(vec![conv.clone(), dense10()]),
        "layer 2: dense needs a flat input, but it receives images (26, 26, 8): add a flatten layer before it"
    );
    assert_eq!(
        error_of(vec![LayerSpec::Flatten, conv.clone(), dense10()]),
        "layer 2: conv2d 8 3x3 relu needs an image input, but the layers before it produce a flat vector (784)"
    );
    assert_eq!(
        error_of(vec![
            LayerSpec::Flatten,
            LayerSpec::Dense {
                units: 12,
                activation: Activation::None
            }
        ]),
        "layer 2: the model must end with a dense layer of 10 units, one per class (it ends with (12))"
    );
    assert_eq!(
        error_of(vec![
            LayerSpec::Flatten,
            LayerSpec::Dense {
                units: 10,
                activation: Activation::Relu
            }
        ]),
        "layer 2: the output layer must have no activation (it has relu): the loss applies softmax itself"
    );
    assert_eq!(
        error_of(vec![
            LayerSpec::Flatten,
            LayerSpec::Dropout { rate: 1.0 },
            dense10()
        ]),
        "layer 2: dropout rate 1 must be at least 0 and below 1"
    );
    assert_eq!(
        error_of(vec![
            LayerSpec::Conv2d {
                filters: 0,
                kernel: 3,
                stride: 1,
                padding: Padding::Same,
                activation: Activation::None
            },
            LayerSpec::Flatten,
            dense10()
        ]),
        "layer 1: filters must be at least 1"
    );
    assert!(Network::new(&ModelSpec::new(vec![conv, dense10()]), &Device::flex()).is_err());
}

#[test]
fn layer_lists_round_trip_through_json() {
    for name in ["baseline", "alexnet", "default"] {
        let spec = preset(name).unwrap();
        assert_eq!(ModelSpec::from_json(&spec.to_json()).unwrap(), spec);
    }
    let json = r#"[{"type":"conv2d","filters":16,"kernel":3,"padding":"same","activation":"relu"},
                   {"type":"max-pool","size":2},{"type":"flatten"},{"type":"dense","units":10}]"#;
    let spec = ModelSpec::from_json(json).unwrap();
    assert_eq!(
        spec.summary().unwrap().total_parameters(),
        160 + 14 * 14 * 16 * 10 + 10
    );
    let bad = ModelSpec::from_json(r#"[{"type":"conv3d"}]"#).unwrap_err();
    assert!(
        bad.to_string().starts_with("not a valid layer list"),
        "{bad}"
    );
}
