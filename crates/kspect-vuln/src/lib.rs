//! kspect-vuln
