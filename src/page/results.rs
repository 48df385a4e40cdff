//! After training: validation accuracy, the confusion matrix and per-class accuracy.

use atelier_browser::protocol::EvalSummary;
use atelier_core::data::CLASS_NAMES;

use super::dom;

/// Renders the validation results.
pub fn show(validation: &EvalSummary) {
    let mut html = format!(
        "<p><strong data-testid=\"val-accuracy\">Validation accuracy: {:.2}%</strong> on {} images (loss {:.4}).</p>",
        validation.accuracy * 100.0,
        validation.confusion.total(),
        validation.loss
    );
    html += "<div class=\"results-row\"><div><h3>Confusion matrix (rows: true class, columns: predicted)</h3><table data-testid=\"confusion-matrix\"><tr><th></th>";
    for (class, name) in CLASS_NAMES.iter().enumerate() {
        html += &format!("<th title=\"{name}\">{class}</th>");
    }
    html += "</tr>";
    for (truth, row) in validation.confusion.counts.iter().enumerate() {
        html += &format!("<tr><th>{truth} {}</th>", dom::escape(CLASS_NAMES[truth]));
        for (predicted, count) in row.iter().enumerate() {
            // Off the diagonal, a click shows those mistakes in the gallery.
            let attributes = if truth == predicted {
                " class=\"diag\"".to_string()
            } else {
                format!(
                    " class=\"pick\" data-truth=\"{truth}\" data-predicted=\"{predicted}\" title=\"show these mistakes\""
                )
            };
            html += &format!("<td{attributes}>{count}</td>");
        }
        html += "</tr>";
    }
    html +=
        "</table></div><div><h3>Per-class accuracy</h3><table data-testid=\"per-class-accuracy\">";
    for (class, accuracy) in validation.confusion.per_class_accuracy().iter().enumerate() {
        html += &format!(
            "<tr><td>{class} {}</td><td>{}</td></tr>",
            dom::escape(CLASS_NAMES[class]),
            accuracy.map_or("-".into(), |a| format!("{:.1}%", a * 100.0))
        );
    }
    html += "</table></div></div>";
    dom::set_html("results", &html);
    // The run just ended: its results are what the user looks at next.
    dom::set_attr("results-panel", "open", "");
}
