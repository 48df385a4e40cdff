//! The models a user starts from.

use super::{Activation, LayerSpec, ModelSpec, Padding};

/// Preset names, in the order the page lists them.
pub const PRESET_NAMES: [&str; 4] = ["baseline", "alexnet", "default", "vgg"];

fn conv(filters: usize, kernel: usize, padding: Padding) -> LayerSpec {
    LayerSpec::Conv2d {
        filters,
        kernel,
        stride: 1,
        padding,
        activation: Activation::Relu,
    }
}

fn dense(units: usize, activation: Activation) -> LayerSpec {
    LayerSpec::Dense { units, activation }
}

fn max_pool(size: usize, stride: usize) -> LayerSpec {
    LayerSpec::MaxPool {
        size,
        stride: Some(stride),
    }
}

/// The model named `name` (`baseline`, `alexnet`, `default` or `vgg`).
pub fn preset(name: &str) -> Option<ModelSpec> {
    use Activation::{None, Relu};
    use LayerSpec::{BatchNorm, Dropout, Flatten};
    use Padding::{Same, Valid};
    let layers = match name {
        // The notebook's model: 433,454 parameters.
        "baseline" => vec![
            conv(10, 3, Valid),
            Flatten,
            dense(64, Relu),
            dense(10, None),
        ],
        // The notebook's AlexNet-style benchmark: 61,750,530 parameters in Keras.
        "alexnet" => vec![
            conv(256, 5, Same),
            BatchNorm,
            max_pool(3, 2),
            conv(384, 3, Same),
            BatchNorm,
            conv(384, 3, Same),
            BatchNorm,
            conv(256, 3, Same),
            BatchNorm,
            max_pool(3, 2),
            Flatten,
            dense(4096, Relu),
            Dropout { rate: 0.5 },
            dense(4096, Relu),
            Dropout { rate: 0.5 },
            dense(1000, Relu),
            Dropout { rate: 0.5 },
            dense(10, None),
        ],
        // Our recommendation: three conv blocks with batch-norm, a small dense head, dropout,
        // trained with batch 64, Adam 1e-3 and the cosine schedule (its accuracy and cost:
        // BENCHMARKS.md, "Accuracy of the presets").
        "default" => vec![
            conv(32, 3, Same),
            BatchNorm,
            max_pool(2, 2),
            conv(64, 3, Same),
            BatchNorm,
            max_pool(2, 2),
            conv(128, 3, Same),
            BatchNorm,
            max_pool(2, 2),
            Flatten,
            Dropout { rate: 0.3 },
            dense(128, Relu),
            Dropout { rate: 0.3 },
            dense(10, None),
        ],
        // For 0.94: VGG-style blocks of two convolutions with batch-norm, light dropout growing
        // with depth, a wider dense head; trained with its recipe (`train::recipe`: the mirror, a
        // one-pixel shift, cosine over 30 epochs). About three times `default`'s multiply-adds
        // (BENCHMARKS.md, "Accuracy of the presets").
        "vgg" => vec![
            conv(32, 3, Same),
            BatchNorm,
            conv(32, 3, Same),
            BatchNorm,
            max_pool(2, 2),
            Dropout { rate: 0.1 },
            conv(64, 3, Same),
            BatchNorm,
            conv(64, 3, Same),
            BatchNorm,
            max_pool(2, 2),
            Dropout { rate: 0.2 },
            conv(128, 3, Same),
            BatchNorm,
            max_pool(2, 2),
            Dropout { rate: 0.3 },
            Flatten,
            dense(256, Relu),
            Dropout { rate: 0.3 },
            dense(10, None),
        ],
        _ => return Option::None,
    };
    Some(ModelSpec::new(layers))
}

/// The name of the preset `spec` is, if it is one (however its pools' strides are written).
pub fn preset_name(spec: &ModelSpec) -> Option<&'static str> {
    let spec = spec.normalized();
    PRESET_NAMES
        .into_iter()
        .find(|name| preset(name).map(|p| p.normalized()).as_ref() == Some(&spec))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_preset_is_named_however_its_pool_strides_are_written() {
        for name in PRESET_NAMES {
            let spec = preset(name).unwrap();
            assert_eq!(preset_name(&spec), Some(name));
            // The layer list as a user writes it: a pool's stride left out when it is its size.
            let mut layers: serde_json::Value = serde_json::from_str(&spec.to_json()).unwrap();
            for layer in layers.as_array_mut().unwrap() {
                if layer["type"].as_str().unwrap().ends_with("-pool")
                    && layer["stride"] == layer["size"]
                {
                    layer.as_object_mut().unwrap().remove("stride");
                }
            }
            let json = layers.to_string();
            let written = ModelSpec::from_json(&json).unwrap();
            assert_eq!(preset_name(&written), Some(name), "{json}");
        }
        let mut other = preset("vgg").unwrap();
        other.layers.pop();
        assert_eq!(preset_name(&other), None);
    }
}
