//! Matrix products on the calling thread, through gemm (the crate under flex's matmul).
//!
//! Flex's matmul takes whole tensors: it allocates and zero-fills its output, and decides on
//! its own whether to spread one product over the threads. The kernels here already run one
//! task per image on rayon's threads and want one small product per task, written into a
//! buffer they own. `multiply_into` is that call, with the bounds checked so that the
//! `unsafe` gemm call cannot read or write outside the slices.

/// A read-only matrix over a slice: element `(i, j)` at `i * row_stride + j * col_stride`.
#[derive(Clone, Copy)]
pub(super) struct MatrixView<'a> {
    values: &'a [f32],
    rows: usize,
    cols: usize,
    row_stride: usize,
    col_stride: usize,
}

impl<'a> MatrixView<'a> {
    /// The first `rows * cols` values of `values`, row after row.
    pub(super) fn row_major(values: &'a [f32], rows: usize, cols: usize) -> Self {
        assert!(
            values.len() >= rows * cols,
            "a {rows}x{cols} matrix over {} values",
            values.len()
        );
        Self {
            values,
            rows,
            cols,
            row_stride: cols,
            col_stride: 1,
        }
    }

    /// The same values read as the transposed matrix (no copy).
    pub(super) fn transposed(self) -> Self {
        Self {
            rows: self.cols,
            cols: self.rows,
            row_stride: self.col_stride,
            col_stride: self.row_stride,
            ..self
        }
    }
}

/// `out = lhs x rhs`, or `out += lhs x rhs` when `accumulate`; `out` is row-major
/// `[lhs rows, rhs cols]`. Runs on the calling thread.
pub(super) fn multiply_into(out: &mut [f32], lhs: MatrixView, rhs: MatrixView, accumulate: bool) {
    let (m, k, n) = (lhs.rows, lhs.cols, rhs.cols);
    assert_eq!(
        k, rhs.rows,
        "inner dimensions of a {m}x{k} by {}x{n} product",
        rhs.rows
    );
    assert_eq!(
        out.len(),
        m * n,
        "a {m}x{n} product into {} values",
        out.len()
    );
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        if !accumulate {
            out.fill(0.0);
        }
        return;
    }
    // row_major checked rows * cols values; transposed swaps the strides with the sizes, so
    // the last element of either view lies inside its slice.
    for view in [&lhs, &rhs] {
        let last = (view.rows - 1) * view.row_stride + (view.cols - 1) * view.col_stride;
        assert!(last < view.values.len(), "a matrix view past its slice");
    }
    let alpha = if accumulate { 1.0 } else { 0.0 };
    // SAFETY: the asserts above keep every element gemm reads inside `lhs` and `rhs`, and
    // every element it writes (m rows of n, row stride n) inside `out`; `out` is borrowed
    // mutably, so it overlaps neither input.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            out.as_mut_ptr(),
            1,
            n as isize,
            accumulate,
            lhs.values.as_ptr(),
            lhs.col_stride as isize,
            lhs.row_stride as isize,
            rhs.values.as_ptr(),
            rhs.col_stride as isize,
            rhs.row_stride as isize,
            alpha,
            1.0,
            false,
            false,
            false,
            gemm::Parallelism::None,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(lhs: MatrixView, rhs: MatrixView) -> Vec<f32> {
        let at = |v: &MatrixView, i: usize, j: usize| v.values[i * v.row_stride + j * v.col_stride];
        let mut out = Vec::new();
        for i in 0..lhs.rows {
            for j in 0..rhs.cols {
                out.push((0..lhs.cols).map(|k| at(&lhs, i, k) * at(&rhs, k, j)).sum());
            }
        }
        out
    }

    #[test]
    fn products_match_the_definition_with_either_operand_transposed() {
        let a: Vec<f32> = (0..35).map(|v| (v as f32 * 0.37).sin()).collect();
        let b: Vec<f32> = (0..63).map(|v| (v as f32 * 0.11).cos()).collect();
        let cases = [
            // [5, 7] x [7, 9]
            (
                MatrixView::row_major(&a, 5, 7),
                MatrixView::row_major(&b, 7, 9),
            ),
            // [7, 5]ᵀ = [5, 7] x [7, 9]
            (
                MatrixView::row_major(&a, 7, 5).transposed(),
                MatrixView::row_major(&b, 7, 9),
            ),
            // [5, 7] x [9, 7]ᵀ
            (
                MatrixView::row_major(&a, 5, 7),
                MatrixView::row_major(&b, 9, 7).transposed(),
            ),
        ];
        for (lhs, rhs) in cases {
            let expected = naive(lhs, rhs);
            let mut out = vec![f32::NAN; 45]; // not read when overwriting
            multiply_into(&mut out, lhs, rhs, false);
            for (ours, theirs) in out.iter().zip(&expected) {
                assert!((ours - theirs).abs() < 1e-5, "{ours} vs {theirs}");
            }
            multiply_into(&mut out, lhs, rhs, true);
            for (ours, theirs) in out.iter().zip(&expected) {
                assert!((ours - 2.0 * theirs).abs() < 1e-5, "{ours} vs 2 x {theirs}");
            }
        }
    }

    #[test]
    #[should_panic(expected = "inner dimensions")]
    fn mismatched_shapes_panic_before_gemm() {
        let a = [0.0; 12];
        multiply_into(
            &mut [0.0; 9],
            MatrixView::row_major(&a, 3, 4),
            MatrixView::row_major(&a, 3, 3),
            false,
        );
    }
}
