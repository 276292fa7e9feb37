//! `set`: new variables, from the values of earlier steps.

use serde_json::{Map, Value};

use crate::secret::Class;

use super::fields::scalar_text;
use super::{Ctx, StepError};

pub const TITLE: &str = "Variables Set";

/// The new variables, by name.
pub type Params = Map<String, Value>;

/// The variables as set.
pub type Output = Map<String, Value>;

pub fn run(ctx: &mut Ctx<'_>, params: Params) -> Result<Output, StepError> {
    for (k, v) in &params {
        if ctx.secret_names.iter().any(|n| n == k)
            && let Some(t) = scalar_text(v)
        {
            ctx.redactor.secret(k, &t, Class::Credential);
        }
        ctx.vars.push((k.clone(), v.clone()));
    }
    Ok(params)
}
