//! References shared by several hardening rules.

use kspect_core::Reference;

/// MITRE ATT&CK T1611, Escape to Host.
pub(crate) const ESCAPE_TO_HOST: Reference =
    Reference::mitre("T1611", "https://attack.mitre.org/techniques/T1611/");
/// MITRE ATT&CK T1068, Exploitation for Privilege Escalation.
pub(crate) const PRIVILEGE_ESCALATION: Reference =
    Reference::mitre("T1068", "https://attack.mitre.org/techniques/T1068/");
/// MITRE ATT&CK T1496, Resource Hijacking.
pub(crate) const RESOURCE_HIJACKING: Reference =
    Reference::mitre("T1496", "https://attack.mitre.org/techniques/T1496/");
/// MITRE ATT&CK T1499, Endpoint Denial of Service.
pub(crate) const DENIAL_OF_SERVICE: Reference =
    Reference::mitre("T1499", "https://attack.mitre.org/techniques/T1499/");
/// MITRE ATT&CK T1552.001, Unsecured Credentials: Credentials In Files.
pub(crate) const CREDENTIALS_IN_FILES: Reference = Reference::mitre(
    "T1552.001",
    "https://attack.mitre.org/techniques/T1552/001/",
);
/// MITRE ATT&CK T1552.007, Unsecured Credentials: Container API.
pub(crate) const CONTAINER_API_CREDENTIALS: Reference = Reference::mitre(
    "T1552.007",
    "https://attack.mitre.org/techniques/T1552/007/",
);
/// MITRE ATT&CK T1528, Steal Application Access Token.
pub(crate) const STEAL_TOKEN: Reference =
    Reference::mitre("T1528", "https://attack.mitre.org/techniques/T1528/");
/// MITRE ATT&CK T1525, Implant Internal Image.
pub(crate) const IMPLANT_IMAGE: Reference =
    Reference::mitre("T1525", "https://attack.mitre.org/techniques/T1525/");
/// MITRE ATT&CK T1204.003, User Execution: Malicious Image.
pub(crate) const MALICIOUS_IMAGE: Reference = Reference::mitre(
    "T1204.003",
    "https://attack.mitre.org/techniques/T1204/003/",
);
/// MITRE ATT&CK T1190, Exploit Public-Facing Application.
pub(crate) const PUBLIC_FACING: Reference =
    Reference::mitre("T1190", "https://attack.mitre.org/techniques/T1190/");
/// MITRE ATT&CK T1557, Adversary-in-the-Middle.
pub(crate) const ADVERSARY_IN_THE_MIDDLE: Reference =
    Reference::mitre("T1557", "https://attack.mitre.org/techniques/T1557/");
/// MITRE ATT&CK T1040, Network Sniffing.
pub(crate) const NETWORK_SNIFFING: Reference =
    Reference::mitre("T1040", "https://attack.mitre.org/techniques/T1040/");
/// MITRE ATT&CK T1610, Deploy Container.
pub(crate) const DEPLOY_CONTAINER: Reference =
    Reference::mitre("T1610", "https://attack.mitre.org/techniques/T1610/");
/// MITRE ATT&CK T1609, Container Administration Command.
pub(crate) const CONTAINER_ADMIN_COMMAND: Reference =
    Reference::mitre("T1609", "https://attack.mitre.org/techniques/T1609/");
/// MITRE ATT&CK T1613, Container and Resource Discovery.
pub(crate) const DISCOVERY: Reference =
    Reference::mitre("T1613", "https://attack.mitre.org/techniques/T1613/");
/// MITRE ATT&CK T1562.001, Impair Defenses: Disable or Modify Tools.
pub(crate) const IMPAIR_DEFENSES: Reference = Reference::mitre(
    "T1562.001",
    "https://attack.mitre.org/techniques/T1562/001/",
);
/// MITRE ATT&CK T1543.005, Create or Modify System Process: Container Service.
pub(crate) const CONTAINER_SERVICE: Reference = Reference::mitre(
    "T1543.005",
    "https://attack.mitre.org/techniques/T1543/005/",
);
