//! Apps as code: Connected Apps and External Client Apps read from
//! Salesforce DX source — what the mock org serves, what a deploy sends and
//! what a drift check compares the org's apps with.

pub mod canonical;
pub mod compare;
pub mod component;
pub mod error;
pub mod init;
pub mod mock_app;
mod mock_ca;
mod mock_eca;
pub mod mock_keys;
pub mod package;
pub mod schema;
pub mod scopes;
pub mod source;
pub mod types;
pub mod xml;

pub use component::Component;
pub use error::SourceError;
pub use source::{App, AppKind, Source, load};
pub use types::MetadataType;
