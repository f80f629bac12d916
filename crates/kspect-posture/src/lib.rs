//! kspect-posture
