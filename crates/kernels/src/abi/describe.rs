//! What this artefact is: `bp_abi_version`, `bp_backend`, and `bp_describe`, the codes and limits
//! it was built with as JSON written from the definitions themselves, so a TypeScript test can pin
//! every mirrored code and limit.

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
    TEXT.as_ptr() as usize
}

/// Length in bytes of the text at `bp_describe`.
#[no_mangle]
pub extern "C" fn bp_describe_len() -> usize {
    TEXT.len()
}

/// The codes and limits this artefact was built with, as JSON built from the definitions
/// themselves (status codes, activations, losses, optimizers, backends, the kinds of per-row
/// values of `bp_values`, limits, the rows per block of `bp_predict` and `bp_evaluate`,
/// leaky-relu's slope), so the TypeScript mirrors can be checked against them. Written by the
/// compiler: the artefact holds the text, not the code that writes it.
static TEXT: [u8; WRITTEN.len] = WRITTEN.text();

const WRITTEN: JsonWriter = describe();

/// `"key":{"name":code,…}` for the values of an enum (`ALL`, `name()`, its code the
/// discriminant) or for (name, code) pairs.
macro_rules! codes {
    ($w:ident, $key:literal, $all:expr, enum) => {
        codes!($w, $key, $all, |v| (v.name(), v as i64))
    };
    ($w:ident, $key:literal, $all:expr, pairs) => {
        codes!($w, $key, $all, |v| (v.0, v.1 as i64))
    };
    ($w:ident, $key:literal, $all:expr, |$v:ident| $pair:expr) => {{
        let all = $all;
        $w.open($key);
        let mut i = 0;
        while i < all.len() {
            let $v = all[i];
            let (name, code) = $pair;
            $w.key(name);
            $w.int(code);
            i += 1;
        }
        $w.close();
    }};
}

const fn describe() -> JsonWriter {
    let mut w = JsonWriter { buf: [0; CAPACITY], len: 0 };
    w.byte(b'{');
    w.key("abi");
    w.int(ABI_VERSION as i64);
    codes!(w, "status", STATUSES, pairs);
    codes!(w, "activations", Activation::ALL, enum);
    codes!(w, "losses", Loss::ALL, enum);
    codes!(w, "optimizers", OptimizerKind::ALL, enum);
    codes!(w, "backends", BackendKind::ALL, enum);
    codes!(w, "values", RowValues::ALL, enum);
    let limits = [
        ("maxLayerSize", MAX_LAYER_SIZE),
        ("maxLayers", MAX_LAYERS),
        ("maxBatch", MAX_CAPACITY),
        ("maxElements", MAX_ELEMENTS),
    ];
    codes!(w, "limits", limits, pairs);
    w.key("blockRows");
    w.int(BLOCK_ROWS as i64);
    w.key("leakySlope");
    w.decimal(LEAKY_SLOPE);
    w.byte(b'}');
    w
}

/// Room for the text while it is written (it is ~600 bytes; a longer one fails the build).
const CAPACITY: usize = 2048;

/// Writes JSON in a constant, without `core::fmt` (whose float formatting alone adds ~24 KB to
/// an artefact). Keys are plain ASCII names (nothing to escape).
struct JsonWriter {
    buf: [u8; CAPACITY],
    len: usize,
}

impl JsonWriter {
    /// The `N` bytes written (`N` is `len`).
    const fn text<const N: usize>(&self) -> [u8; N] {
        let mut out = [0; N];
        let mut i = 0;
        while i < N {
            out[i] = self.buf[i];
            i += 1;
        }
        out
    }

    const fn byte(&mut self, b: u8) {
        self.buf[self.len] = b;
        self.len += 1;
    }

    /// `"key":`, after a comma unless first in its object.
    const fn key(&mut self, key: &str) {
        if self.buf[self.len - 1] != b'{' {
            self.byte(b',');
        }
        self.byte(b'"');
        let b = key.as_bytes();
        let mut i = 0;
        while i < b.len() {
            assert!(b[i] != b'"' && b[i] != b'\\', "a key to escape");
            self.byte(b[i]);
            i += 1;
        }
        self.byte(b'"');
        self.byte(b':');
    }

    /// `"key":{`, members to follow, then `close`.
    const fn open(&mut self, key: &str) {
        self.key(key);
        self.byte(b'{');
    }

    const fn close(&mut self) {
        self.byte(b'}');
    }

    const fn int(&mut self, v: i64) {
        if v < 0 {
            self.byte(b'-');
        }
        self.digits(v.unsigned_abs(), 1);
    }

    /// The digits of `n`, at least `width` of them (zeros in front).
    const fn digits(&mut self, mut n: u64, width: usize) {
        let (mut buf, mut i) = ([b'0'; 20], 20);
        while n > 0 || i > 20 - width {
            i -= 1;
            buf[i] = b'0' + (n % 10) as u8;
            n /= 10;
        }
        while i < 20 {
            self.byte(buf[i]);
            i += 1;
        }
    }

    /// A finite `x ≥ 0` with the fewest decimal places (up to 15) that read back as `x`:
    /// `n / 10ᵏ` with both exact is rounded correctly, as reading the decimal text is.
    const fn decimal(&mut self, x: f64) {
        let mut scale = 1.0;
        let mut places = 0;
        while places <= 15 {
            let n = (x * scale + 0.5) as u64 as f64; // x·10ᵏ rounded (x ≥ 0)
            if n / scale == x && n < 9e15 {
                let (n, pow) = (n as u64, 10u64.pow(places));
                self.digits(n / pow, 1);
                if places > 0 {
                    self.byte(b'.');
                    self.digits(n % pow, places as usize);
                }
                return;
            }
            scale *= 10.0;
            places += 1;
        }
        panic!("a value without a short decimal form");
    }
}
