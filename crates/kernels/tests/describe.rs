//! `bp_describe`: the codes and limits of the artefact as JSON, for the TypeScript mirrors (a
//! constant the compiler writes, so no allocation; in a file of its own all the same, away from the
//! live-allocation counts of tests/abi.rs).

#[path = "common/json.rs"]
mod json;

use backprop_kernels::abi::*;
use backprop_kernels::kernels::activation::Activation;
use backprop_kernels::kernels::backend::BackendKind;
use backprop_kernels::kernels::loss::Loss;
use backprop_kernels::kernels::optimizer::OptimizerKind;
use backprop_kernels::mlp::{RowValues, BLOCK_ROWS};

#[test]
fn every_list_is_in_the_order_of_its_codes() {
    for a in Activation::ALL {
        assert_eq!(Activation::from_code(a as u32), Some(a));
    }
    for l in Loss::ALL {
        assert_eq!(Loss::from_code(l as u32), Some(l));
    }
    for o in OptimizerKind::ALL {
        assert_eq!(OptimizerKind::from_code(o as u32), Some(o));
    }
    assert_eq!(Activation::from_code(Activation::ALL.len() as u32), None);
    assert_eq!(Loss::from_code(Loss::ALL.len() as u32), None);
    assert_eq!(OptimizerKind::from_code(OptimizerKind::ALL.len() as u32), None);
    for (code, b) in BackendKind::ALL.into_iter().enumerate() {
        assert_eq!(b as usize, code);
    }
    for (code, v) in RowValues::ALL.into_iter().enumerate() {
        assert_eq!(v as usize, code);
        assert_eq!(RowValues::from_code(code as u32), Some(v));
    }
    assert_eq!(RowValues::from_code(RowValues::ALL.len() as u32), None);
}

#[test]
/// Natively the scalar backend is in force, and `bp_backend` says so.
fn the_backend_in_force_is_the_one_reported() {
    assert_eq!(bp_backend(), BackendKind::Scalar as u32);
}

#[test]
/// `bp_describe`: valid JSON naming every status, activation, loss, optimizer and limit.
fn describe_names_every_code_and_limit() {
    let (ptr, len) = (bp_describe(), bp_describe_len());
    assert!(ptr != 0 && len > 0);
    assert_eq!((bp_describe(), bp_describe_len()), (ptr, len), "built once");
    // SAFETY: ptr and len name the text, which lives as long as the process.
    let text = core::str::from_utf8(unsafe { core::slice::from_raw_parts(ptr as *const u8, len) }).unwrap();
    let j = json::parse(text).unwrap_or_else(|e| panic!("{e}: {text}"));
    assert_eq!(j.field("abi").as_usize(), ABI_VERSION as usize);
    let status = j.field("status");
    let expected = [
        ("OK", STATUS_OK),
        ("INVALID_HANDLE", STATUS_INVALID_HANDLE),
        ("INVALID_ARGUMENT", STATUS_INVALID_ARGUMENT),
        ("TOO_LARGE", STATUS_TOO_LARGE),
        ("OUT_OF_MEMORY", STATUS_OUT_OF_MEMORY),
        ("BATCH_TOO_LARGE", STATUS_BATCH_TOO_LARGE),
        ("INDEX_OUT_OF_RANGE", STATUS_INDEX_OUT_OF_RANGE),
        ("INVALID_BUFFER", STATUS_INVALID_BUFFER),
    ];
    for (name, code) in expected {
        assert_eq!(status.field(name).as_f64(), code as f64, "status {name}");
    }
    let json::Json::Object(members) = status else { panic!("status is not an object") };
    assert_eq!(members.len(), expected.len(), "a status the test does not know: {text}");
    let names = |key: &str| match j.field(key) {
        json::Json::Object(m) => m.iter().map(|(k, v)| (k.clone(), v.as_usize())).collect::<Vec<_>>(),
        _ => panic!("{key} is not an object"),
    };
    let own = |v: &[&str]| v.iter().enumerate().map(|(i, k)| (k.to_string(), i)).collect::<Vec<_>>();
    assert_eq!(names("activations"), own(&["linear", "sigmoid", "tanh", "relu", "leaky-relu", "softmax"]));
    assert_eq!(names("losses"), own(&["mse", "cross-entropy"]));
    assert_eq!(names("optimizers"), own(&["sgd", "momentum", "adam"]));
    assert_eq!(names("backends"), own(&["scalar", "simd128", "relaxed-simd"]));
    assert_eq!(names("values"), own(&["z", "a", "delta"]));
    let limits = j.field("limits");
    assert_eq!(limits.field("maxLayerSize").as_usize(), 65536);
    assert_eq!(limits.field("maxLayers").as_usize(), 64);
    assert_eq!(limits.field("maxBatch").as_usize(), 65536);
    assert_eq!(limits.field("maxElements").as_usize(), 1 << 28);
    assert_eq!(j.field("blockRows").as_usize(), BLOCK_ROWS);
    assert_eq!(j.field("leakySlope").as_f64(), 0.01);
}
