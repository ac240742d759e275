//! The mathematics, one file per family; what differs per instruction set is in [`backend`].

pub mod activation;
pub mod backend;
pub mod exp;
pub mod gemm;
pub mod loss;
pub mod optimizer;
