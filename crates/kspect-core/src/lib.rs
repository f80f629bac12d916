//! kspect-core
