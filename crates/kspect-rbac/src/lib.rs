//! kspect-rbac
