//! SubjectAccessReview in, SubjectAccessReview with `status` out: what
//! `kubectl create -f sar.json -o json` returns, decided offline.

use serde_json::{Map, Value};

use crate::error::RbacError;
use crate::model::RbacModel;
use crate::request::{
    Attributes, NonResourceAttributes, Request, ResourceAttributes, SYSTEM_MASTERS, UserInfo,
};

/// Options of [`review_subject_access`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReviewOptions {
    /// Also model the authorizer that the API server places before RBAC and
    /// that allows group `system:masters` everything (reason `""`). Off by
    /// default: the answer is then RBAC's alone, which is what the corpus
    /// (`allowed` = RBAC decision) and `can-i` about RBAC objects mean.
    pub privileged_groups: bool,
}

fn string_field(obj: &Map<String, Value>, key: &str) -> Result<String, RbacError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(other) => Err(RbacError::InvalidReview(format!(
            "{key}: expected a string, found {other}"
        ))),
    }
}

fn object_field<'a>(
    obj: &'a Map<String, Value>,
    key: &str,
) -> Result<Option<&'a Map<String, Value>>, RbacError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(m)) => Ok(Some(m)),
        Some(other) => Err(RbacError::InvalidReview(format!(
            "{key}: expected an object, found {other}"
        ))),
    }
}

/// Reads the request a SubjectAccessReview (`authorization.k8s.io/v1`, or
/// `v1beta1` whose groups field is `group`) asks about, literally: no groups
/// are implied and no names normalised. Rejects what API validation rejects.
pub fn request_from_review(sar: &Value) -> Result<Request, RbacError> {
    let obj = sar
        .as_object()
        .ok_or_else(|| RbacError::InvalidReview("not a JSON object".into()))?;
    let kind = obj.get("kind").and_then(Value::as_str).unwrap_or("");
    if !matches!(kind, "SubjectAccessReview" | "LocalSubjectAccessReview") {
        return Err(RbacError::InvalidReview(format!(
            "kind {kind:?}: expected SubjectAccessReview"
        )));
    }
    let beta = obj
        .get("apiVersion")
        .and_then(Value::as_str)
        .is_some_and(|v| v.ends_with("/v1beta1"));
    let spec = object_field(obj, "spec")?
        .ok_or_else(|| RbacError::InvalidReview("spec is missing".into()))?;
    let user = string_field(spec, "user")?;
    let groups_key = if beta { "group" } else { "groups" };
    let groups: Vec<String> = match spec.get(groups_key) {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|g| {
                g.as_str().map(str::to_string).ok_or_else(|| {
                    RbacError::InvalidReview(format!("spec.{groups_key}: {g} is not a string"))
                })
            })
            .collect::<Result<_, _>>()?,
        Some(other) => {
            return Err(RbacError::InvalidReview(format!(
                "spec.{groups_key}: expected a list, found {other}"
            )));
        }
    };
    let resource = object_field(spec, "resourceAttributes")?;
    let non_resource = object_field(spec, "nonResourceAttributes")?;
    let attributes = match (resource, non_resource) {
        (Some(r), None) => Attributes::Resource(ResourceAttributes {
            namespace: string_field(r, "namespace")?,
            verb: string_field(r, "verb")?,
            group: string_field(r, "group")?,
            resource: string_field(r, "resource")?,
            subresource: string_field(r, "subresource")?,
            name: string_field(r, "name")?,
        }),
        (None, Some(n)) => Attributes::NonResource(NonResourceAttributes {
            path: string_field(n, "path")?,
            verb: string_field(n, "verb")?,
        }),
        _ => {
            return Err(RbacError::InvalidReview(
                "spec: exactly one of nonResourceAttributes or resourceAttributes must be specified"
                    .into(),
            ));
        }
    };
    if user.is_empty() && groups.is_empty() {
        return Err(RbacError::InvalidReview(
            "spec.user: at least one of user or group must be specified".into(),
        ));
    }
    Ok(Request {
        user: UserInfo { name: user, groups },
        attributes,
    })
}

/// Evaluates a SubjectAccessReview and returns the same object with
/// `status` set as the API server sets it: `allowed`, and `reason` when not
/// empty (`RBAC: allowed by ...`, or the role lookup errors).
pub fn review_subject_access<S>(
    model: &RbacModel<S>,
    sar: &Value,
    options: ReviewOptions,
) -> Result<Value, RbacError> {
    let request = request_from_review(sar)?;
    let (allowed, reason) =
        if options.privileged_groups && request.user.groups.iter().any(|g| g == SYSTEM_MASTERS) {
            (true, String::new())
        } else {
            let decision = model.authorize(&request);
            (decision.allowed, model.reason(&decision))
        };
    let mut status = Map::new();
    status.insert("allowed".into(), Value::Bool(allowed));
    if !reason.is_empty() {
        status.insert("reason".into(), Value::String(reason));
    }
    let mut out = sar.clone();
    if let Some(obj) = out.as_object_mut() {
        obj.insert("status".into(), Value::Object(status));
    }
    Ok(out)
}
