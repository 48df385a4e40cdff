//! The active model: the pre-trained one at first, then the one trained here or loaded from a
//! file. It answers the drawing pad, is saved as a model file, and is kept in the browser's
//! storage so that a reload brings it back. The engine (`engine.rs`) holds which model is
//! active and hands it here; this module never reaches back for it.

use std::cell::OnceCell;
use std::rc::Rc;

use atelier_engine::SavedNetwork;
use atelier_engine::burn::module::Module;
use atelier_engine::burn::prelude::Device;

use atelier_core::data::{IMAGE_PIXELS, NUM_CLASSES};
use atelier_core::model::preset_name;
use atelier_core::saved::{EXTENSION, SavedModel};
use atelier_core::train::{History, TrainConfig};
use atelier_engine::Network;
use atelier_engine::predict_probabilities;

use crate::{persist, reply, reply_with_bytes};
use atelier_browser::js;
use atelier_browser::protocol::{ModelInfo, ModelSource, Reply};

/// Where the page's pre-trained model is served (www/model, copied by Trunk).
const PRETRAINED_URL: &str = "model/pretrained.atelier";

/// Models up to this many parameters answer the drawing pad from a copy on the CPU backend.
/// One image is a question of latency, not throughput: on the CPU it takes a few milliseconds,
/// with no GPU round trip and no wait behind a training run's queued work (the notebook's
/// AlexNet, 62 million parameters, stays on the GPU).
const DRAWING_ON_CPU_PARAMETERS: usize = 5_000_000;

/// A model ready to predict, and what is known about it.
#[derive(Clone)]
pub struct ActiveModel {
    pub network: Rc<Network>,
    pub label: String,
    pub settings: TrainConfig,
    pub history: History,
    pub test_accuracy: Option<f32>,
    /// The drawing pad's copy of `network` on the CPU backend, made at the first drawing and
    /// shared by every clone of this model.
    drawing_copy: Rc<OnceCell<Network>>,
}

impl ActiveModel {
    /// A model and what is known about it.
    pub fn new(
        network: Network,
        label: String,
        settings: TrainConfig,
        history: History,
        test_accuracy: Option<f32>,
    ) -> Self {
        Self {
            network: Rc::new(network),
            label,
            settings,
            history,
            test_accuracy,
            drawing_copy: Rc::default(),
        }
    }

    fn from_saved(saved: SavedModel, label: String, device: &Device) -> Result<Self, String> {
        let network = saved.network(device).map_err(|e| e.to_string())?;
        Ok(Self::new(
            network,
            label,
            saved.settings,
            saved.history,
            saved.test_accuracy,
        ))
    }

    /// The network that answers the drawing pad, and its device: the CPU copy for a small
    /// model on the GPU (made now if it is the first drawing), else the model itself.
    async fn for_drawing(&self, device: &Device) -> (&Network, Device) {
        let cpu = Device::flex();
        if let Some(copy) = self.drawing_copy.get() {
            return (copy, cpu);
        }
        if *device == cpu || self.network.num_params() > DRAWING_ON_CPU_PARAMETERS {
            return (self.network.as_ref(), device.clone());
        }
        let copy =
            SavedModel::capture(&self.network, "", &self.settings, &History::default(), None)
                .await
                .and_then(|saved| saved.network(&cpu));
        match copy {
            Ok(copy) => (self.drawing_copy.get_or_init(|| copy), cpu),
            Err(error) => {
                web_sys::console::warn_1(&format!("no CPU copy for drawings: {error}").into());
                (self.network.as_ref(), device.clone())
            }
        }
    }

    /// The model file's contents (weights read back from the device, awaited).
    pub async fn to_file(&self) -> Result<Vec<u8>, String> {
        let saved = SavedModel::capture(
            &self.network,
            &self.label,
            &self.settings,
            &self.history,
            self.test_accuracy,
        )
        .await
        .map_err(|e| e.to_string())?;
        Ok(saved.to_bytes())
    }
}

/// The architecture's name for labels: a preset's, or "custom".
pub fn architecture_name(settings: &TrainConfig) -> &'static str {
    preset_name(&settings.model).unwrap_or("custom")
}

/// Tells the page that `model` is the active one.
pub fn announce(model: &ActiveModel, source: ModelSource) {
    reply(&Reply::ModelReady {
        info: Box::new(ModelInfo {
            label: model.label.clone(),
            settings: Box::new(model.settings.clone()),
            history: model.history.clone(),
            test_accuracy: model.test_accuracy,
            source,
        }),
    });
}

/// At start: the model kept before the reload, or else the pre-trained one.
pub async fn first_model(device: &Device) -> Result<(ActiveModel, ModelSource), String> {
    if let Some((label, bytes)) = persist::restore().await {
        match SavedModel::from_bytes(&bytes)
            .map_err(|e| e.to_string())
            .and_then(|saved| ActiveModel::from_saved(saved, label, device))
        {
            Ok(model) => return Ok((model, ModelSource::Restored)),
            Err(error) => web_sys::console::warn_1(
                &format!("the kept model could not be restored: {error}").into(),
            ),
        }
    }
    let bytes = js::fetch_bytes(PRETRAINED_URL).await?;
    let saved = SavedModel::from_bytes(&bytes).map_err(|e| e.to_string())?;
    let label = format!("pre-trained {} model", architecture_name(&saved.settings));
    let model = ActiveModel::from_saved(saved, label, device)?;
    Ok((model, ModelSource::Pretrained))
}

/// A model file from a drop or the picker, on `device` and kept for the next visit; an error
/// (naming the file) when it is not a good one.
pub async fn load_file(name: &str, bytes: &[u8], device: &Device) -> Result<ActiveModel, String> {
    let saved = SavedModel::from_bytes(bytes).map_err(|e| format!("{name}: {e}"))?;
    let model = ActiveModel::from_saved(saved, format!("file {name}"), device)
        .map_err(|e| format!("{name}: {e}"))?;
    keep(&model, bytes).await;
    Ok(model)
}

/// A kept run's model (named `name`), on `device` and kept for the next visit.
pub async fn load_run(name: &str, bytes: &[u8], device: &Device) -> Result<ActiveModel, String> {
    let saved =
        SavedModel::from_bytes(bytes).map_err(|e| format!("the run {name}'s model: {e}"))?;
    let model = ActiveModel::from_saved(saved, format!("run {name}"), device)
        .map_err(|e| format!("the run {name}'s model: {e}"))?;
    keep(&model, bytes).await;
    Ok(model)
}

/// Keeps `model` (whose file is `bytes`) for the next visit; the page hears whether it was.
pub async fn keep(model: &ActiveModel, bytes: &[u8]) {
    persist::keep(&model.label, bytes).await;
}

/// Class probabilities of one image with the active `model` (on `device`); none while there is
/// no model or no device yet.
pub async fn classify(model: Option<ActiveModel>, device: Option<Device>, pixels: Vec<u8>) {
    let (Some(model), Some(device), true) = (model, device, pixels.len() == IMAGE_PIXELS) else {
        return reply(&Reply::Classified {
            probabilities: None,
        });
    };
    let (network, device) = model.for_drawing(&device).await;
    match predict_probabilities(network, &pixels, &device).await {
        Ok(rows) => reply(&Reply::Classified {
            probabilities: rows.first().copied().map(normalised),
        }),
        Err(error) => reply(&Reply::Failed {
            message: format!("Classifying the drawing failed: {error}"),
        }),
    }
}

/// Softmax in f32 sums to 1 within a few ulps; renormalise so the page's bars add up exactly.
fn normalised(mut p: [f32; NUM_CLASSES]) -> [f32; NUM_CLASSES] {
    let sum: f32 = p.iter().sum();
    if sum > 0.0 {
        p.iter_mut().for_each(|v| *v /= sum);
    }
    p
}

/// The active model as a file, sent to the page for download.
pub async fn save(model: Option<ActiveModel>) {
    let Some(model) = model else {
        return reply(&Reply::Failed {
            message: "There is no model to save yet.".into(),
        });
    };
    match model.to_file().await {
        Ok(bytes) => {
            let name = format!(
                "fashion-mnist-{}.{EXTENSION}",
                architecture_name(&model.settings)
            );
            reply_with_bytes(&Reply::ModelFile { name }, &bytes);
        }
        Err(error) => reply(&Reply::Failed {
            message: format!("The model could not be saved: {error}"),
        }),
    }
}
