//! The layer editor: add, remove, reorder and edit layers; each row shows its output shape and
//! parameters as you type, and a stack that cannot be built is explained before any training.

use std::cell::RefCell;

use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlInputElement, HtmlSelectElement};

use atelier_core::model::{Activation, LayerSpec, ModelSpec, Padding, Shape, preset, preset_name};
use atelier_core::size::check_file_size;

use super::dom;

thread_local! {
    static LAYERS: RefCell<Vec<LayerSpec>> = const { RefCell::new(Vec::new()) };
    static ON_VALIDITY: RefCell<Option<fn(bool)>> = const { RefCell::new(None) };
}

const KINDS: [(&str, &str); 7] = [
    ("conv2d", "convolution"),
    ("max-pool", "max pooling"),
    ("avg-pool", "average pooling"),
    ("batch-norm", "batch norm"),
    ("dropout", "dropout"),
    ("flatten", "flatten"),
    ("dense", "dense"),
];

const ACTIVATIONS: [(&str, Activation); 7] = [
    ("none", Activation::None),
    ("relu", Activation::Relu),
    ("sigmoid", Activation::Sigmoid),
    ("tanh", Activation::Tanh),
    ("gelu", Activation::Gelu),
    ("leaky-relu", Activation::LeakyRelu),
    ("elu", Activation::Elu),
];

/// The layers as edited.
pub fn spec() -> ModelSpec {
    ModelSpec::new(LAYERS.with(|l| l.borrow().clone()))
}

/// Wires the editor; `on_validity` hears whether the stack can be trained after every change.
pub fn start(on_validity: fn(bool)) {
    ON_VALIDITY.with(|v| *v.borrow_mut() = Some(on_validity));
    dom::on("layer-editor", "input", |e| edited(&e, false));
    dom::on("layer-editor", "change", |e| edited(&e, true));
    dom::on("layer-editor", "click", |e| clicked(&e));
    dom::on("add-layer", "click", |_| {
        let kind = dom::value("add-layer-kind");
        change(|layers| layers.push(default_layer(&kind)), true);
    });
    dom::on("export-layers", "click", |_| {
        if let Err(e) =
            super::browser::download("layers.json", &spec().to_json(), "application/json")
        {
            dom::show_error(&format!("The download failed: {e:?}"));
        }
    });
    dom::on("import-layers", "change", |_| {
        let input: HtmlInputElement = dom::typed("import-layers");
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        input.set_value("");
        wasm_bindgen_futures::spawn_local(async move {
            if let Err(message) = check_file_size(&file.name(), file.size() as u64) {
                return dom::show_error(&message);
            }
            let text = match wasm_bindgen_futures::JsFuture::from(file.text()).await {
                Ok(text) => text.as_string().unwrap_or_default(),
                Err(e) => return dom::show_error(&format!("{}: {e:?}", file.name())),
            };
            // A stack that cannot train yet is shown with its problem in `layer-error`.
            match ModelSpec::parse_json(&text) {
                Ok(spec) => {
                    dom::clear_error();
                    set(&spec);
                }
                Err(e) => dom::show_error(&format!(
                    "{}: {e}; export a layer list to see the format",
                    file.name()
                )),
            }
        });
    });
    let name = dom::value("model-preset");
    set(&preset(&name).unwrap_or_else(|| preset("default").expect("a default preset")));
}

/// Replaces the whole stack (a preset, an import, a loaded model).
pub fn set(spec: &ModelSpec) {
    LAYERS.with(|l| *l.borrow_mut() = spec.layers.clone());
    render();
}

fn change(f: impl FnOnce(&mut Vec<LayerSpec>), structural: bool) {
    LAYERS.with(|l| f(&mut l.borrow_mut()));
    if structural {
        render();
    } else {
        refresh_summary();
    }
}

fn default_layer(kind: &str) -> LayerSpec {
    match kind {
        "max-pool" => LayerSpec::MaxPool {
            size: 2,
            stride: None,
        },
        "avg-pool" => LayerSpec::AvgPool {
            size: 2,
            stride: None,
        },
        "batch-norm" => LayerSpec::BatchNorm,
        "dropout" => LayerSpec::Dropout { rate: 0.25 },
        "flatten" => LayerSpec::Flatten,
        "dense" => LayerSpec::Dense {
            units: 128,
            activation: Activation::Relu,
        },
        _ => LayerSpec::Conv2d {
            filters: 32,
            kernel: 3,
            stride: 1,
            padding: Padding::Same,
            activation: Activation::Relu,
        },
    }
}

fn kind_of(layer: &LayerSpec) -> &'static str {
    match layer {
        LayerSpec::Conv2d { .. } => "conv2d",
        LayerSpec::MaxPool { .. } => "max-pool",
        LayerSpec::AvgPool { .. } => "avg-pool",
        LayerSpec::BatchNorm => "batch-norm",
        LayerSpec::Dropout { .. } => "dropout",
        LayerSpec::Flatten => "flatten",
        LayerSpec::Dense { .. } => "dense",
    }
}

fn activation_name(activation: Activation) -> &'static str {
    ACTIVATIONS
        .iter()
        .find(|(_, a)| *a == activation)
        .map_or("none", |(name, _)| name)
}

fn number(index: usize, field: &str, value: impl ToString, min: &str, step: &str) -> String {
    format!(
        "<label>{field} <input type=\"number\" data-layer=\"{index}\" data-field=\"{field}\" value=\"{}\" min=\"{min}\" step=\"{step}\" /></label>",
        value.to_string()
    )
}

fn select(index: usize, field: &str, options: &[&str], chosen: &str) -> String {
    let options: String = options
        .iter()
        .map(|o| {
            let selected = if *o == chosen { " selected" } else { "" };
            format!("<option value=\"{o}\"{selected}>{o}</option>")
        })
        .collect();
    format!(
        "<label>{field} <select data-layer=\"{index}\" data-field=\"{field}\">{options}</select></label>"
    )
}

fn activation_select(index: usize, activation: Activation) -> String {
    let names: Vec<&str> = ACTIVATIONS.iter().map(|(n, _)| *n).collect();
    select(index, "activation", &names, activation_name(activation))
}

fn fields(index: usize, layer: &LayerSpec) -> String {
    match *layer {
        LayerSpec::Conv2d {
            filters,
            kernel,
            stride,
            padding,
            activation,
        } => [
            number(index, "filters", filters, "1", "1"),
            number(index, "kernel", kernel, "1", "1"),
            number(index, "stride", stride, "1", "1"),
            select(
                index,
                "padding",
                &["valid", "same"],
                if padding == Padding::Same {
                    "same"
                } else {
                    "valid"
                },
            ),
            activation_select(index, activation),
        ]
        .concat(),
        LayerSpec::MaxPool { size, stride } | LayerSpec::AvgPool { size, stride } => [
            number(index, "size", size, "1", "1"),
            number(index, "stride", stride.unwrap_or(size), "1", "1"),
        ]
        .concat(),
        LayerSpec::Dropout { rate } => number(index, "rate", rate, "0", "0.05"),
        LayerSpec::Dense { units, activation } => [
            number(index, "units", units, "1", "1"),
            activation_select(index, activation),
        ]
        .concat(),
        LayerSpec::BatchNorm | LayerSpec::Flatten => String::new(),
    }
}

/// Redraws every row (after a structural change: add, remove, move, another kind).
fn render() {
    let layers = LAYERS.with(|l| l.borrow().clone());
    let kinds: Vec<&str> = KINDS.iter().map(|(k, _)| *k).collect();
    let mut rows = String::new();
    for (index, layer) in layers.iter().enumerate() {
        rows += &format!(
            "<tr data-testid=\"layer-row\" data-index=\"{index}\"><td>{}</td><td>{}</td><td class=\"layer-fields\">{}</td>\
             <td class=\"shape\"></td><td class=\"params\"></td>\
             <td class=\"layer-actions\"><button type=\"button\" data-action=\"up\" data-layer=\"{index}\" title=\"move up\">↑</button>\
             <button type=\"button\" data-action=\"down\" data-layer=\"{index}\" title=\"move down\">↓</button>\
             <button type=\"button\" data-action=\"remove\" data-layer=\"{index}\" title=\"remove\">✕</button></td></tr>",
            index + 1,
            select(index, "kind", &kinds, kind_of(layer)),
            fields(index, layer),
        );
    }
    dom::set_html(
        "layer-editor",
        &format!(
            "<table data-testid=\"model-summary\"><tr><th>#</th><th>layer</th><th>settings</th><th>output shape</th><th>parameters</th><th></th></tr>\
             <tr><td></td><td>input</td><td></td><td>(28, 28, 1)</td><td></td><td></td></tr>{rows}\
             <tr><td></td><td><strong>total</strong></td><td></td><td></td><td data-testid=\"total-parameters\" id=\"total-parameters\"></td><td></td></tr></table>"
        ),
    );
    refresh_summary();
}

/// Updates shapes, parameters, the total and the error, without touching the inputs.
fn refresh_summary() {
    let spec = spec();
    let rows = dom::document()
        .query_selector_all("[data-testid=layer-row]")
        .ok();
    let mut shape = Some(Shape::INPUT);
    let mut total = 0;
    for (index, layer) in spec.layers.iter().enumerate() {
        let Some(row) = rows.as_ref().and_then(|r| r.get(index as u32)) else {
            break;
        };
        let Ok(row) = row.dyn_into::<Element>() else {
            break;
        };
        let (shape_text, params_text) = match shape.map(|input| (input, layer.output_shape(input)))
        {
            Some((input, Ok(output))) => {
                let params = layer.parameters(input);
                total = params.saturating_add(total);
                shape = Some(output);
                (output.to_string(), params.to_string())
            }
            _ => {
                shape = None;
                ("-".to_string(), "-".to_string())
            }
        };
        set_cell(&row, ".shape", &shape_text);
        set_cell(&row, ".params", &params_text);
    }
    let validity = spec.validate();
    match &validity {
        Ok(_) => {
            dom::set_text("layer-error", "");
            dom::set_text("total-parameters", &total.to_string());
        }
        Err(error) => {
            dom::set_text("layer-error", &error.to_string());
            dom::set_text("total-parameters", "-");
        }
    }
    // The preset menu names the stack, or says it is custom.
    let name = preset_name(&spec).unwrap_or("custom");
    if let Some(select) = dom::element("model-preset").dyn_ref::<HtmlSelectElement>() {
        select.set_value(name);
    }
    if let Some(on_validity) = ON_VALIDITY.with(|v| *v.borrow()) {
        on_validity(validity.is_ok());
    }
}

fn set_cell(row: &Element, selector: &str, text: &str) {
    if let Ok(Some(cell)) = row.query_selector(selector) {
        cell.set_text_content(Some(text));
    }
}

fn target(event: &web_sys::Event) -> Option<Element> {
    event.target()?.dyn_into::<Element>().ok()
}

/// An input or select in a row changed.
fn edited(event: &web_sys::Event, committed: bool) {
    let Some(element) = target(event) else {
        return;
    };
    let (Some(index), Some(field)) = (
        element
            .get_attribute("data-layer")
            .and_then(|i| i.parse::<usize>().ok()),
        element.get_attribute("data-field"),
    ) else {
        return;
    };
    let value = if let Some(input) = element.dyn_ref::<HtmlInputElement>() {
        input.value()
    } else if let Some(select) = element.dyn_ref::<HtmlSelectElement>() {
        select.value()
    } else {
        return;
    };
    if field == "kind" {
        if committed {
            change(|layers| layers[index] = default_layer(&value), true);
        }
        return;
    }
    change(
        |layers| set_field(&mut layers[index], &field, &value),
        false,
    );
}

/// Sets one field from its text; text that is not a number leaves the field as it was (the
/// browser marks the input invalid).
fn set_field(layer: &mut LayerSpec, field: &str, value: &str) {
    let whole = value.trim().parse::<usize>().ok();
    let activation = ACTIVATIONS
        .iter()
        .find(|(n, _)| *n == value)
        .map(|(_, a)| *a);
    match (layer, field) {
        (LayerSpec::Conv2d { filters, .. }, "filters") => *filters = whole.unwrap_or(*filters),
        (LayerSpec::Conv2d { kernel, .. }, "kernel") => *kernel = whole.unwrap_or(*kernel),
        (LayerSpec::Conv2d { stride, .. }, "stride") => *stride = whole.unwrap_or(*stride),
        (LayerSpec::Conv2d { padding, .. }, "padding") => {
            *padding = if value == "same" {
                Padding::Same
            } else {
                Padding::Valid
            }
        }
        (
            LayerSpec::Conv2d { activation: a, .. } | LayerSpec::Dense { activation: a, .. },
            "activation",
        ) => *a = activation.unwrap_or(*a),
        (LayerSpec::MaxPool { size, .. } | LayerSpec::AvgPool { size, .. }, "size") => {
            *size = whole.unwrap_or(*size)
        }
        (LayerSpec::MaxPool { stride, size } | LayerSpec::AvgPool { stride, size }, "stride") => {
            *stride = whole.filter(|s| s != size)
        }
        (LayerSpec::Dropout { rate }, "rate") => *rate = value.trim().parse().unwrap_or(*rate),
        (LayerSpec::Dense { units, .. }, "units") => *units = whole.unwrap_or(*units),
        _ => {}
    }
}

/// Up, down and remove buttons.
fn clicked(event: &web_sys::Event) {
    let Some(element) = target(event) else {
        return;
    };
    let (Some(action), Some(index)) = (
        element.get_attribute("data-action"),
        element
            .get_attribute("data-layer")
            .and_then(|i| i.parse::<usize>().ok()),
    ) else {
        return;
    };
    change(
        |layers| match action.as_str() {
            "up" if index > 0 => layers.swap(index, index - 1),
            "down" if index + 1 < layers.len() => layers.swap(index, index + 1),
            "remove" if index < layers.len() => {
                layers.remove(index);
            }
            _ => {}
        },
        true,
    );
}
