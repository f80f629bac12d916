//! Property tests: every scheme's ordering is reflexive, antisymmetric and
//! transitive on generated versions, and no parser panics on arbitrary input.

use std::cmp::Ordering;

use kspect_vuln::Scheme;
use kspect_vuln::version::npm;
use proptest::prelude::*;

fn check_order(scheme: Scheme, a: &str, b: &str, c: &str) -> Result<(), TestCaseError> {
    let cmp = |x: &str, y: &str| scheme.compare(x, y);
    let (Ok(ab), Ok(ba), Ok(bc), Ok(ac), Ok(aa)) =
        (cmp(a, b), cmp(b, a), cmp(b, c), cmp(a, c), cmp(a, a))
    else {
        // Strict schemes may reject a generated string; the generators aim at
        // valid versions, so just skip the rare rejection.
        return Ok(());
    };
    prop_assert_eq!(aa, Ordering::Equal, "{:?} not equal to itself", a);
    prop_assert_eq!(ab, ba.reverse(), "antisymmetry: {:?} vs {:?}", a, b);
    if ab != Ordering::Greater && bc != Ordering::Greater {
        prop_assert_ne!(
            ac,
            Ordering::Greater,
            "transitivity: {:?} <= {:?} <= {:?}",
            a,
            b,
            c
        );
    }
    if ab == Ordering::Equal && bc == Ordering::Equal {
        prop_assert_eq!(
            ac,
            Ordering::Equal,
            "equality transitivity: {:?} {:?} {:?}",
            a,
            b,
            c
        );
    }
    if ab == Ordering::Less && bc == Ordering::Less {
        prop_assert_eq!(
            ac,
            Ordering::Less,
            "strict transitivity: {:?} {:?} {:?}",
            a,
            b,
            c
        );
    }
    Ok(())
}

macro_rules! order_props {
    ($($name:ident: $scheme:expr, $re:expr;)*) => {
        proptest! {
            #![proptest_config(ProptestConfig::with_cases(400))]
            $(
                #[test]
                fn $name(a in $re, b in $re, c in $re) {
                    check_order($scheme, &a, &b, &c)?;
                }
            )*
        }
    };
}

order_props! {
    dpkg_total_order: Scheme::Dpkg, r"([0-3]:)?[0-9][0-9a-zA-Z.+~]{0,5}(-[0-9a-z.+~]{1,4})?";
    apk3_total_order: Scheme::Apk, r"[0-9]{1,2}(\.[0-9]{1,3}){0,3}[a-z]?(_(alpha|beta|pre|rc|cvs|svn|git|hg|p)[0-9]?){0,2}(~[0-9a-f]{1,3})?(-r[0-9]{1,2})?";
    apk2_total_order: Scheme::ApkV2, r"[0-9]{1,2}(\.[0-9]{1,3}){0,3}[a-z]?(_(alpha|beta|pre|rc|cvs|svn|git|hg|p)[0-9]?){0,2}(-r[0-9]{1,2})?";
    osv_alpine_total_order: Scheme::OsvAlpine, r"[1-9]{1,2}(\.[1-9][0-9]?){0,3}[a-z]?(_(alpha|beta|pre|rc|p)[0-9]?){0,1}(-r[0-9]{1,2})?";
    rpm_total_order: Scheme::Rpm, r"([0-3]:)?[0-9a-zA-Z.~^_+]{1,8}(-[0-9a-z.~^]{1,4})?";
    npm_total_order: Scheme::Npm, r"v?[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{1,2}(-[0-9a-zA-Z-]{1,3}(\.[0-9a-zA-Z-]{1,3}){0,2})?(\+[a-z0-9]{1,3})?";
    cargo_total_order: Scheme::CargoSemver, r"(0|[1-9][0-9]?)\.(0|[1-9])\.(0|[1-9])(-(alpha|beta|rc|[1-9])(\.(0|[1-9]|x)){0,2})?(\+[a-z0-9]{1,3})?";
    osv_semver_total_order: Scheme::OsvSemver, r"v?[0-9]{1,3}(\.[0-9]{1,3}){0,4}(-[0-9a-z]{1,3}(\.[0-9a-z]{1,3}){0,2})?(\+[a-z0-9]{1,2})?";
    pep440_total_order: Scheme::Pep440, r"(([0-9]!)?[0-9]{1,2}(\.[0-9]{1,2}){0,2}((a|b|rc|c|alpha|pre)[0-9]?)?(\.post[0-9]|-[0-9])?(\.dev[0-9]?)?(\+[a-z0-9]{1,3}(\.[a-z0-9]{1,2})?)?|[a-z.-]{1,6})";
    maven_total_order: Scheme::Maven, r"[0-9]{1,2}((\.|-)?([0-9]{1,2}|alpha|beta|milestone|rc|cr|snapshot|ga|final|sp|a|b|m|xyz)){0,4}";
    maven_spec_total_order: Scheme::MavenSpec, r"[0-9]{1,2}((\.|-)([0-9]{1,2}|alpha|beta|rc|snapshot|sp|xyz)){0,3}";
    rubygems_total_order: Scheme::RubyGems, r"[0-9]{1,2}(\.([0-9]{1,2}|[a-z]{1,3})){0,4}(-[a-z0-9]{1,3})?";
    go_total_order: Scheme::Go, r"(v?[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{1,2}(-[0-9a-z]{1,3}(\.[0-9a-z]{1,3}){0,2})?(\+[a-z]{1,3})?|bad|v1\.2|v01\.2\.3)";
    packagist_total_order: Scheme::Packagist, r"v?[0-9]{1,2}(\.[0-9]{1,2}){0,2}(-?(dev|alpha|beta|a|b|RC|rc|pl|p)[0-9]?)?";
    nuget_total_order: Scheme::NuGet, r"[0-9]{1,2}(\.[0-9]{1,2}){0,3}(-[0-9a-zA-Z]{1,3}(\.[0-9a-zA-Z]{1,3})?)?(\+[a-z]{1,2})?";
    pub_total_order: Scheme::Pub, r"[0-9]{1,2}\.[0-9]{1,2}\.[0-9]{1,2}(-[0-9a-z]{1,3}(\.[0-9a-z]{1,3})?)?(\+[0-9a-z]{1,3})?";
    hackage_total_order: Scheme::Hackage, r"[0-9]{1,2}(\.[0-9]{1,2}){0,4}";
    cran_total_order: Scheme::Cran, r"[0-9]{1,2}((\.|-)[0-9]{1,2}){1,3}";
}

const ALL: [Scheme; 20] = [
    Scheme::Dpkg,
    Scheme::ApkV2,
    Scheme::Apk,
    Scheme::OsvAlpine,
    Scheme::Rpm,
    Scheme::RpmVercmp,
    Scheme::Npm,
    Scheme::CargoSemver,
    Scheme::OsvSemver,
    Scheme::Pep440,
    Scheme::Maven,
    Scheme::MavenSpec,
    Scheme::RubyGems,
    Scheme::Go,
    Scheme::Packagist,
    Scheme::NuGet,
    Scheme::Pub,
    Scheme::Hackage,
    Scheme::Cran,
    Scheme::Dpkg,
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn parsers_never_panic(a in "\\PC{0,24}", b in "[0-9a-zA-Z.~^:+_ -]{0,16}") {
        for scheme in ALL {
            let _ = scheme.compare(&a, &b);
            let _ = scheme.compare(&b, &a);
            let _ = scheme.validate(&a);
            let _ = scheme.validate(&b);
        }
        let opts = npm::RangeOptions { loose: true, include_prerelease: true };
        let _ = npm::satisfies(&b, &a, opts);
        let _ = npm::satisfies(&a, &b, npm::RangeOptions::default());
    }

    #[test]
    fn ecosystem_names_never_panic(s in "\\PC{0,20}") {
        let _ = s.parse::<kspect_vuln::Ecosystem>();
    }
}

/// Distribution releases: what the normalizer gives back is a fixed point,
/// no input makes it panic, and a package's purl carries its release intact
/// (what `kspect sbom` writes, `kspect vuln sbom:` reads back the same).
mod distro_release {
    use kspect_vuln::Ecosystem;
    use kspect_vuln::inventory::distro::{normalize_release, release_from_qualifier};
    use kspect_vuln::inventory::{Package, Purl};
    use proptest::prelude::*;

    const BASES: [&str; 7] = [
        "Debian",
        "Ubuntu",
        "Alpine",
        "Rocky Linux",
        "AlmaLinux",
        "Mariner",
        "Fedora",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn normalizing_is_idempotent(
            b in 0usize..BASES.len(),
            raw in "(v?[0-9]{1,3}(\\.[0-9]{1,3}){0,3}|[a-z]{3,9}|\\PC{0,12})",
        ) {
            let base = BASES[b];
            if let Some(r) = normalize_release(base, &raw) {
                prop_assert_eq!(normalize_release(base, &r), Some(r.clone()));
            }
            let _ = release_from_qualifier(base, &raw);
        }

        #[test]
        fn purls_keep_the_release(
            kind in 0usize..3,
            major in 1u32..40,
            minor in 0u32..30,
            name in "[a-z][a-z0-9+.-]{0,12}",
            version in "[0-9]{1,3}\\.[0-9]{1,3}(-r[0-9]{1,2})?",
        ) {
            let eco = match kind {
                0 => Ecosystem::Debian(Some(major.to_string())),
                1 => Ecosystem::Ubuntu(Some(format!("{major}.{minor:02}"))),
                _ => Ecosystem::Alpine(Some(format!("v{major}.{minor}"))),
            };
            let p = Package::new(eco.clone(), name.clone(), version, None);
            let back = Purl::parse(&p.purl()).and_then(|u| u.to_ecosystem());
            prop_assert_eq!(back, Some((eco, name)));
        }
    }
}
