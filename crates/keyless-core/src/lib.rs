//! Keyless core: turns one validated config into every file of a zero-secret
//! GitHub Actions → AWS ECS Fargate deploy. No web dependencies: the web page
//! and the `keyless` command line are thin layers over [`generate`].
#![warn(missing_docs)]

pub mod bundle;
pub mod config;
pub mod cost;
pub mod iam;
pub mod names;
pub mod regions;

pub use bundle::{generate, Bundle, BundleFile};
pub use config::{ConfigErrors, Field, FieldError, RawConfig, ValidConfig};
