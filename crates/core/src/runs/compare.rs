use super::RunRecord;

/// One setting that is not the same in every run compared: its name and each run's value, in
/// the order the runs were given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Difference {
    pub setting: &'static str,
    pub values: Vec<String>,
}

/// A setting's value in a run, as text.
type Value = fn(&RunRecord) -> String;

/// Each setting that decides a run, in the order a reader looks for it, with its value as text.
const SETTINGS: &[(&str, Value)] = &[
    ("layers", |r| layers(r)),
    ("optimizer", |r| r.settings.optimizer.to_string()),
    ("learning rate", |r| r.settings.learning_rate.to_string()),
    ("schedule", |r| r.settings.schedule.to_string()),
    ("momentum", |r| r.settings.momentum.to_string()),
    ("weight decay", |r| r.settings.weight_decay.to_string()),
    ("loss", |r| r.settings.loss.to_string()),
    ("batch size", |r| r.settings.batch_size.to_string()),
    ("epochs", |r| r.settings.epochs.to_string()),
    ("validation share", |r| {
        r.settings.validation_split.to_string()
    }),
    ("seed", |r| r.settings.seed.to_string()),
    ("augmentation", |r| match &r.settings.augmentation {
        None => "none".into(),
        Some(a) => format!(
            "translate {}, flip {}, erase {}",
            a.translate, a.flip, a.erase
        ),
    }),
    ("early stopping", |r| match r.settings.early_stopping {
        None => "off".into(),
        Some(patience) => format!("patience {patience}"),
    }),
    ("training file", |r| r.data.train_file.clone()),
    ("training images", |r| r.data.training_images.to_string()),
    ("validation images", |r| {
        r.data.validation_images.to_string()
    }),
    ("where", |r| r.place.clone()),
];

/// The layer stack in one line: `conv2d 32 3x3 relu, max-pool 2x2, flatten, dense 10`.
fn layers(run: &RunRecord) -> String {
    let layers: Vec<String> = run
        .settings
        .model
        .layers
        .iter()
        .map(|l| l.describe())
        .collect();
    layers.join(", ")
}

/// The settings whose values are not all the same across `runs`; nothing for fewer than two.
/// (How often the loss is read back is left out: it changes what is plotted, not the model.)
pub fn differences(runs: &[&RunRecord]) -> Vec<Difference> {
    if runs.len() < 2 {
        return Vec::new();
    }
    SETTINGS
        .iter()
        .filter_map(|&(setting, value)| {
            let values: Vec<String> = runs.iter().map(|r| value(r)).collect();
            values
                .iter()
                .any(|v| *v != values[0])
                .then_some(Difference { setting, values })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::preset;
    use crate::runs::{RunData, RunKind};
    use crate::train::TrainConfig;

    fn run(settings: TrainConfig) -> RunRecord {
        RunRecord::new(
            "id".into(),
            0.0,
            "CPU".into(),
            RunData::default(),
            settings,
            RunKind::Training,
        )
    }

    #[test]
    fn only_what_differs_is_named() {
        let base = TrainConfig::new(preset("baseline").unwrap());
        let a = run(base.clone());
        let b = run(base.clone().with_learning_rate(0.01));
        let diff = differences(&[&a, &b]);
        assert_eq!(
            diff,
            vec![Difference {
                setting: "learning rate",
                values: vec!["0.001".into(), "0.01".into()]
            }]
        );
        let c = run(TrainConfig::new(preset("default").unwrap()).with_learning_rate(0.01));
        let settings: Vec<_> = differences(&[&a, &b, &c])
            .iter()
            .map(|d| d.setting)
            .collect();
        assert_eq!(settings, ["layers", "learning rate"]);
        assert!(differences(&[&a]).is_empty());
        assert!(differences(&[&a, &a.clone()]).is_empty());
    }
}
