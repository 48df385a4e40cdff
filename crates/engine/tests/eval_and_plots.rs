//! Evaluation, the predictions CSV and the charts, from a short real training run.

use std::sync::OnceLock;

use atelier_core::data::{CLASS_NAMES, IMAGE_PIXELS};
use atelier_core::eval::{PredictionsLayout, predictions_csv};
use atelier_core::model::preset;
use atelier_core::plot::{
    TRAIN_COLOR, Theme, VALIDATION_COLOR, draw_accuracy_chart, draw_class_histogram,
    draw_loss_chart, draw_probabilities, register_font_file,
};
use atelier_core::train::{LossKind, TrainConfig, TrainControl, TrainEvent};
use atelier_engine::{TrainHost, Trained, train};
use atelier_engine::{evaluate, predict, predict_mirrored, predict_probabilities};
use atelier_fixtures::*;
use burn::prelude::Device;
use plotters::prelude::*;

struct Quiet;
impl TrainHost for Quiet {
    fn emit(&mut self, _: TrainEvent) {}
    async fn sleep(&mut self, _: u32) {}
}

/// Baseline trained for 2 epochs on 5,000 real images, shared by the tests here.
fn trained() -> &'static Trained {
    static TRAINED: OnceLock<Trained> = OnceLock::new();
    TRAINED.get_or_init(|| {
        let cfg = TrainConfig::new(preset("baseline").unwrap())
            .with_epochs(2)
            .with_loss_every(10);
        pollster::block_on(train(
            &cfg,
            &train_subset(5_000),
            &Device::flex(),
            &TrainControl::new(),
            &mut Quiet,
        ))
        .unwrap()
    })
}

#[test]
fn predictions_csv_is_the_notebooks_submission() {
    let test = test_subset(700);
    let unlabelled = atelier_core::data::parse_csv(unlabelled_csv(&test).as_bytes()).unwrap();
    let predictions =
        pollster::block_on(predict(&trained().model, &unlabelled, 256, &Device::flex())).unwrap();
    let csv = predictions_csv(&predictions, PredictionsLayout::Label);
    assert!(!csv.contains('\r'));
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "Label");
    assert_eq!(lines.len(), 701);
    assert!(
        lines[1..]
            .iter()
            .all(|l| l.len() == 1 && l.as_bytes()[0].is_ascii_digit())
    );
    let right = lines[1..]
        .iter()
        .zip(test.labels().unwrap())
        .filter(|(l, t)| l.parse::<u8>().unwrap() == **t)
        .count();
    assert!(right as f32 / 700.0 >= 0.75, "{right}/700");

    let with_ids = predictions_csv(&predictions, PredictionsLayout::ImageIdLabel);
    let lines: Vec<&str> = with_ids.lines().collect();
    assert_eq!(lines[0], "ImageId,Label");
    assert_eq!(lines[1], format!("1,{}", predictions[0]));
    assert_eq!(lines[700], format!("700,{}", predictions[699]));
}

#[test]
fn evaluation_agrees_with_predictions() {
    let test = test_subset(1_000);
    let all: Vec<usize> = (0..test.len()).collect();
    let device = Device::flex();
    let evaluation = pollster::block_on(evaluate(
        &trained().model,
        &test,
        &all,
        128,
        LossKind::CrossEntropy,
        &device,
    ))
    .unwrap();
    let predictions = pollster::block_on(predict(&trained().model, &test, 77, &device)).unwrap();
    assert_eq!(evaluation.predictions, predictions);
    assert_eq!(evaluation.confusion.total(), 1_000);
    let right = predictions
        .iter()
        .zip(test.labels().unwrap())
        .filter(|(p, t)| p == t)
        .count();
    assert_eq!(evaluation.accuracy, right as f32 / 1_000.0);
    let rows: Vec<usize> = evaluation
        .confusion
        .counts
        .iter()
        .map(|r| r.iter().sum())
        .collect();
    assert_eq!(rows, test.class_counts().to_vec());
    // Trousers are the easiest class, shirts the hardest: the model has learned something real.
    let per_class = evaluation.confusion.per_class_accuracy();
    assert!(
        per_class[1].unwrap() > per_class[6].unwrap(),
        "{per_class:?}"
    );
    assert!(evaluation.loss > 0.0 && evaluation.loss < 1.0);
}

#[test]
fn mirrored_predictions_do_not_depend_on_which_way_an_image_faces() {
    let test = test_subset(500);
    // The same images, each mirrored left-right, through the notebook's CSV.
    let mut mirrored = String::from("label");
    for i in 1..=IMAGE_PIXELS {
        mirrored += &format!(",pixel{i}");
    }
    for (index, label) in test.labels().unwrap().iter().enumerate() {
        mirrored += &format!("\n{label}");
        for row in test.image(index).chunks(28) {
            for pixel in row.iter().rev() {
                mirrored += &format!(",{pixel}");
            }
        }
    }
    let mirrored = atelier_core::data::parse_csv(mirrored.as_bytes()).unwrap();
    let device = Device::flex();
    let model = &trained().model;
    let both = pollster::block_on(predict_mirrored(model, &test, 128, &device)).unwrap();
    let both_of_mirrors =
        pollster::block_on(predict_mirrored(model, &mirrored, 128, &device)).unwrap();
    // An image and its mirror are the same pair of inputs either way round.
    assert_eq!(both, both_of_mirrors);
    // ... which one-way predictions are not, and both ways are still good predictions.
    let plain = pollster::block_on(predict(model, &test, 128, &device)).unwrap();
    let plain_of_mirrors = pollster::block_on(predict(model, &mirrored, 128, &device)).unwrap();
    assert_ne!(plain, plain_of_mirrors);
    let right = |p: &[u8]| {
        p.iter()
            .zip(test.labels().unwrap())
            .filter(|(p, t)| p == t)
            .count()
    };
    assert!(right(&both) >= 375, "{}/500", right(&both));
}

#[test]
fn probabilities_sum_to_one() {
    let test = test_subset(5);
    let rows = pollster::block_on(predict_probabilities(
        &trained().model,
        &test.pixels()[..3 * IMAGE_PIXELS],
        &Device::flex(),
    ))
    .unwrap();
    assert_eq!(rows.len(), 3);
    for row in rows {
        assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-4);
    }
}

/// Debian's `fonts-dejavu-core`, for the axis labels.
const FONT: &str = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

/// Renders with `draw` into an RGB buffer.
fn render(draw: impl FnOnce(&DrawingArea<BitMapBackend, plotters::coord::Shift>)) -> Vec<u8> {
    static FONT_READY: OnceLock<()> = OnceLock::new();
    FONT_READY.get_or_init(|| register_font_file(FONT).unwrap());
    let (w, h) = (480u32, 300u32);
    let mut buffer = vec![0u8; (w * h * 3) as usize];
    {
        let area = BitMapBackend::with_buffer(&mut buffer, (w, h)).into_drawing_area();
        draw(&area);
    }
    buffer
}

fn count_color(buffer: &[u8], color: RGBColor) -> usize {
    buffer
        .chunks_exact(3)
        .filter(|p| p[0] == color.0 && p[1] == color.1 && p[2] == color.2)
        .count()
}

#[test]
fn loss_chart_draws_both_curves_in_either_theme() {
    let history = &trained().history;
    for theme in [Theme::LIGHT, Theme::DARK] {
        let buffer = render(|area| draw_loss_chart(area, history, 2, theme).unwrap());
        assert!(
            count_color(&buffer, theme.paper) > buffer.len() / 3 / 2,
            "mostly the theme's paper"
        );
        assert!(
            count_color(&buffer, TRAIN_COLOR) > 50,
            "training curve drawn"
        );
        assert!(
            count_color(&buffer, VALIDATION_COLOR) > 50,
            "validation curve drawn"
        );
        assert!(
            count_color(&buffer, theme.ink) > 100,
            "axes and labels drawn in the theme's ink"
        );

        let accuracy = render(|area| draw_accuracy_chart(area, history, 2, theme).unwrap());
        assert!(count_color(&accuracy, VALIDATION_COLOR) > 20);
        assert_eq!(count_color(&accuracy, TRAIN_COLOR), 0);
    }
}

#[test]
fn class_histogram_has_ten_equal_bars() {
    assert_eq!(CLASS_NAMES.len(), 10);
    let buffer = render(|area| {
        draw_class_histogram(area, &train_set().class_counts(), Theme::LIGHT).unwrap()
    });
    // Count bar-coloured pixels per column, and the bars' heights.
    let (w, h) = (480usize, 300usize);
    let mut heights = vec![0usize; w];
    for y in 0..h {
        for x in 0..w {
            let p = &buffer[(y * w + x) * 3..][..3];
            if p == [TRAIN_COLOR.0, TRAIN_COLOR.1, TRAIN_COLOR.2] {
                heights[x] += 1;
            }
        }
    }
    let mut bars = vec![];
    let mut in_bar = false;
    for (x, &height) in heights.iter().enumerate() {
        if height > 0 && !in_bar {
            bars.push(height);
        }
        in_bar = height > 0;
        let _ = x;
    }
    assert_eq!(bars.len(), 10, "{heights:?}");
    assert!(
        bars.iter().all(|&b| b == bars[0]),
        "6000 images per class: equal bars {bars:?}"
    );
}

#[test]
fn probability_bars_highlight_the_most_likely_class_and_scale_with_probability() {
    let mut probabilities = [0.0f32; 10];
    probabilities[1] = 0.75;
    probabilities[8] = 0.25;
    let buffer =
        render(|area| draw_probabilities(area, Some(&probabilities), Theme::LIGHT).unwrap());
    // The winner in the validation colour, the others in the training colour, 3:1 in area.
    let winner = count_color(&buffer, VALIDATION_COLOR);
    let other = count_color(&buffer, TRAIN_COLOR);
    assert!(winner > 0 && other > 0);
    let ratio = winner as f32 / other as f32;
    assert!((2.7..3.3).contains(&ratio), "bar areas {winner} vs {other}");
    // Nothing predicted yet: axes only, no bars.
    let empty = render(|area| draw_probabilities(area, None, Theme::LIGHT).unwrap());
    assert_eq!(
        count_color(&empty, VALIDATION_COLOR) + count_color(&empty, TRAIN_COLOR),
        0
    );
}
