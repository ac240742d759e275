//! The handle table: every live MLP with its result slots, named by a handle that carries the
//! slot's index (low 16 bits, plus one) and its generation (the next 15 bits), so a stale or
//! made-up handle is found out instead of reaching a freed or foreign MLP.

use std::sync::Mutex;

use super::codes::{STATUS_INVALID_HANDLE, STATUS_TOO_LARGE};
use crate::mlp::Mlp;

/// An MLP of either precision.
pub enum AnyMlp {
    F32(Mlp<f32>),
    F64(Mlp<f64>),
}

/// Runs `$body` with `$m` bound to the MLP of either precision and `$t` to its element type.
macro_rules! with_mlp {
    ($any:expr, $m:ident, $t:ident => $body:expr) => {
        match $any {
            $crate::abi::handles::AnyMlp::F32($m) => {
                #[allow(dead_code)]
                type $t = f32;
                $body
            }
            $crate::abi::handles::AnyMlp::F64($m) => {
                #[allow(dead_code)]
                type $t = f64;
                $body
            }
        }
    };
}
pub(crate) use with_mlp;

pub struct Entry {
    pub mlp: AnyMlp,
    /// Results of the last call: [0] loss, [1] number of correct rows.
    pub results: [f64; 4],
}

struct Slot {
    generation: u32,
    entry: Option<Box<Entry>>,
}

/// Live MLPs at most: the index (plus one) must fit the handle's low 16 bits.
const MAX_HANDLES: usize = 0xffff;
static TABLE: Mutex<Vec<Slot>> = Mutex::new(Vec::new());

fn handle_of(index: usize, generation: u32) -> i32 {
    ((generation as i32 & 0x7fff) << 16) | (index as i32 + 1)
}

/// The slot index a handle names, if the handle is well formed.
fn index_of(handle: i32) -> Option<(usize, u32)> {
    (handle > 0 && handle & 0xffff != 0).then(|| (((handle & 0xffff) - 1) as usize, (handle >> 16) as u32))
}

/// Puts `mlp` in a free slot; returns its handle, or `STATUS_TOO_LARGE` when the table is full.
pub fn insert(mlp: AnyMlp) -> Result<i32, i32> {
    let entry = Box::new(Entry { mlp, results: [0.0; 4] });
    let mut table = TABLE.lock().unwrap();
    let index = match table.iter().position(|s| s.entry.is_none()) {
        Some(i) => i,
        None if table.len() < MAX_HANDLES => {
            table.push(Slot { generation: 0, entry: None });
            table.len() - 1
        }
        None => return Err(STATUS_TOO_LARGE),
    };
    let slot = &mut table[index];
    slot.generation = slot.generation.wrapping_add(1);
    slot.entry = Some(entry);
    Ok(handle_of(index, slot.generation))
}

/// Takes the entry a handle names out of the table (the caller drops it outside the lock).
pub fn remove(handle: i32) -> Result<Box<Entry>, i32> {
    let (index, generation) = index_of(handle).ok_or(STATUS_INVALID_HANDLE)?;
    match TABLE.lock().unwrap().get_mut(index) {
        Some(slot) if slot.generation & 0x7fff == generation => slot.entry.take().ok_or(STATUS_INVALID_HANDLE),
        _ => Err(STATUS_INVALID_HANDLE),
    }
}

/// Runs `f` on the entry a handle names, or returns `STATUS_INVALID_HANDLE`.
pub fn with_entry<R>(handle: i32, f: impl FnOnce(&mut Entry) -> R) -> Result<R, i32> {
    let (index, generation) = index_of(handle).ok_or(STATUS_INVALID_HANDLE)?;
    let mut table = TABLE.lock().unwrap();
    match table.get_mut(index) {
        Some(Slot { generation: g, entry: Some(e) }) if *g & 0x7fff == generation => Ok(f(e)),
        _ => Err(STATUS_INVALID_HANDLE),
    }
}
