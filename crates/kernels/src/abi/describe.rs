//! What this artefact is: `bp_abi_version`, `bp_backend`, and `bp_describe`, the codes and limits
//! it was built with as JSON written from the definitions themselves, so a TypeScript test can pin
//! every mirrored code and limit.

use std::sync::OnceLock;

use super::codes::{ABI_VERSION, STATUSES};
use crate::kernels::activation::{Activation, LEAKY_SLOPE};
use crate::kernels::backend::{BackendKind, ACTIVE_KIND};
use crate::kernels::loss::Loss;
use crate::kernels::optimizer::OptimizerKind;
use crate::mlp::{RowValues, BLOCK_ROWS, MAX_CAPACITY, MAX_ELEMENTS, MAX_LAYERS, MAX_LAYER_SIZE};

/// The version of this ABI (`ABI_VERSION`); the loader refuses an artefact with another.
#[no_mangle]
pub extern "C" fn bp_abi_version() -> u32 {
    ABI_VERSION
}

/// The backend this artefact was compiled with: 0 scalar, 1 SIMD128, 2 relaxed SIMD (`"backends"` in
/// `bp_describe`). The loader reports it as the instance's `backend`.
#[no_mangle]
pub extern "C" fn bp_backend() -> u32 {
    ACTIVE_KIND as u32
}

/// Address of the UTF-8 JSON text that describes this artefact's codes and limits:
/// `{"abi":5,"status":{"OK":0,…},"activations":{"linear":0,…},"losses":{…},"optimizers":{…},
/// "backends":{"scalar":0,"simd128":1,"relaxed-simd":2},"values":{"z":0,"a":1,"delta":2},"limits":{"maxLayerSize":…,
/// "maxLayers":…,"maxBatch":…,"maxElements":…},"blockRows":256,"leakySlope":0.01}`.
/// Its length in bytes is `bp_describe_len`.
#[no_mangle]
pub extern "C" fn bp_describe() -> usize {
    describe_text().as_ptr() as usize
}

/// Length in bytes of the text at `bp_describe`.
#[no_mangle]
pub extern "C" fn bp_describe_len() -> usize {
    describe_text().len()
}

/// The codes and limits this artefact was built with, as JSON built from the definitions
/// themselves (status codes, activations, losses, optimizers, backends, the kinds of per-row
/// values of `bp_values`, limits, the rows per block of `bp_predict` and `bp_evaluate`,
/// leaky-relu's slope), so the TypeScript mirrors can be checked against them. Built on the first
/// call and kept for the life of the instance (one allocation).
fn describe_text() -> &'static str {
    static TEXT: OnceLock<String> = OnceLock::new();
    TEXT.get_or_init(|| {
        let mut w = JsonWriter(String::new());
        w.object(|w| {
            w.key("abi");
            w.int(ABI_VERSION as i64);
            w.codes("status", &STATUSES.map(|(k, v)| (k, v as i64)));
            w.codes("activations", &Activation::ALL.map(|a| (a.name(), a as i64)));
            w.codes("losses", &Loss::ALL.map(|l| (l.name(), l as i64)));
            w.codes("optimizers", &OptimizerKind::ALL.map(|o| (o.name(), o as i64)));
            w.codes("backends", &BackendKind::ALL.map(|b| (b.name(), b as i64)));
            w.codes("values", &RowValues::ALL.map(|v| (v.name(), v as i64)));
            let limits = [
                ("maxLayerSize", MAX_LAYER_SIZE),
                ("maxLayers", MAX_LAYERS),
                ("maxBatch", MAX_CAPACITY),
                ("maxElements", MAX_ELEMENTS),
            ];
            w.codes("limits", &limits.map(|(k, v)| (k, v as i64)));
            w.key("blockRows");
            w.int(BLOCK_ROWS as i64);
            w.key("leakySlope");
            w.decimal(LEAKY_SLOPE);
        });
        w.0
    })
}

/// Writes JSON without `core::fmt`, whose float formatting alone adds ~24 KB to the artefact.
/// Keys are plain ASCII names (nothing to escape).
struct JsonWriter(String);

impl JsonWriter {
    fn object(&mut self, members: impl FnOnce(&mut Self)) {
        self.0.push('{');
        members(self);
        self.0.push('}');
    }

    fn key(&mut self, key: &str) {
        debug_assert!(!key.contains(['"', '\\']));
        if !self.0.ends_with('{') {
            self.0.push(',');
        }
        self.0.push('"');
        self.0.push_str(key);
        self.0.push_str("\":");
    }

    fn codes(&mut self, key: &str, pairs: &[(&str, i64)]) {
        self.key(key);
        self.object(|w| {
            for &(k, v) in pairs {
                w.key(k);
                w.int(v);
            }
        });
    }

    fn int(&mut self, v: i64) {
        if v < 0 {
            self.0.push('-');
        }
        self.digits(v.unsigned_abs(), 1);
    }

    /// The digits of `n`, at least `width` of them (zeros in front).
    fn digits(&mut self, mut n: u64, width: usize) {
        let (mut buf, mut i) = ([b'0'; 20], 20);
        while n > 0 || i > 20 - width {
            i -= 1;
            buf[i] = b'0' + (n % 10) as u8;
            n /= 10;
        }
        buf[i..].iter().for_each(|&d| self.0.push(d as char));
    }

    /// A finite `x ≥ 0` with the fewest decimal places (up to 15) that read back as `x`:
    /// `n / 10ᵏ` with both exact is rounded correctly, as reading the decimal text is.
    fn decimal(&mut self, x: f64) {
        let mut scale = 1.0;
        for places in 0..=15 {
            let n = (x * scale).round();
            if n / scale == x && n < 9e15 {
                let (n, pow) = (n as u64, 10u64.pow(places));
                self.digits(n / pow, 1);
                if places > 0 {
                    self.0.push('.');
                    self.digits(n % pow, places as usize);
                }
                return;
            }
            scale *= 10.0;
        }
        unreachable!("a value without a short decimal form");
    }
}
