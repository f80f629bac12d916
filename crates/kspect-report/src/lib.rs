//! kspect-report
