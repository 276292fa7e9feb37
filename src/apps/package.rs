//! Metadata API packages: `package.xml`, and the zip a deploy sends and a
//! retrieve returns. Source format becomes Metadata format here: each
//! `<dir>/<name>.<suffix>-meta.xml` is `<dir>/<name>.<suffix>` in the zip
//! (types with a content file keep both files as they are).

use std::collections::BTreeMap;
use std::io::{Cursor, Read as _, Write as _};
use std::path::Path;

use super::error::SourceError;
use super::source::load;
use super::types::MetadataType;
use super::xml::{self, METADATA_NS};

/// Most files a zip may hold (Salesforce's limit).
pub const MAX_FILES: usize = 10_000;
/// Most bytes a zip's files may hold once unpacked.
pub const MAX_UNZIPPED: u64 = 64 * 1024 * 1024;

/// Members by type, both sorted, as `package.xml` lists them.
pub type Members = BTreeMap<String, Vec<String>>;

/// `package.xml` listing `members`.
#[must_use]
pub fn package_xml(members: &Members, version: &str) -> String {
    let mut out =
        format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Package xmlns=\"{METADATA_NS}\">\n");
    for (type_name, names) in members {
        out.push_str("    <types>\n");
        let mut names = names.clone();
        names.sort();
        names.dedup();
        for name in names {
            out.push_str(&format!(
                "        <members>{}</members>\n",
                quick_xml::escape::escape(&name)
            ));
        }
        out.push_str(&format!("        <name>{type_name}</name>\n    </types>\n"));
    }
    out.push_str(&format!("    <version>{version}</version>\n</Package>\n"));
    out
}

/// The members a `package.xml` lists, and its version.
///
/// # Errors
///
/// Malformed XML or another root than `Package`.
pub fn read_package_xml(text: &str) -> Result<(Members, Option<String>), String> {
    let root = xml::parse("package.xml", text).map_err(|e| e.to_string())?;
    if root.name != "Package" {
        return Err(format!(
            "package.xml: expected `Package`, found `{}`",
            root.name
        ));
    }
    let mut members = Members::new();
    for types in root.all("types") {
        let name = types.text_of("name").unwrap_or_default().to_owned();
        let list = members.entry(name).or_default();
        list.extend(types.all("members").map(|m| m.text.trim().to_owned()));
    }
    Ok((members, root.text_of("version").map(str::to_owned)))
}

/// A zip in memory: `(path, bytes)` in order.
///
/// # Errors
///
/// Not a zip, too many files, too large once unpacked, an unsafe path.
pub fn unzip(bytes: &[u8]) -> Result<Vec<(String, Vec<u8>)>, String> {
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| format!("not a zip file: {e}"))?;
    if archive.len() > MAX_FILES {
        return Err(format!("the zip holds more than {MAX_FILES} files"));
    }
    let mut total = 0u64;
    let mut files = Vec::new();
    for index in 0..archive.len() {
        let mut file = archive
            .by_index(index)
            .map_err(|e| format!("unreadable zip entry: {e}"))?;
        if file.is_dir() {
            continue;
        }
        let name = file
            .name()
            .map_err(|e| format!("unreadable zip entry name: {e}"))?
            .replace('\\', "/");
        if name.starts_with('/') || name.split('/').any(|part| part == "..") {
            return Err(format!("unsafe path in the zip: {name}"));
        }
        let mut data = Vec::new();
        let room = MAX_UNZIPPED.saturating_sub(total);
        file.by_ref()
            .take(room + 1)
            .read_to_end(&mut data)
            .map_err(|e| format!("unreadable zip entry {name}: {e}"))?;
        total += data.len() as u64;
        if total > MAX_UNZIPPED {
            return Err(format!(
                "the zip holds more than {} MiB",
                MAX_UNZIPPED / 1024 / 1024
            ));
        }
        files.push((name, data));
    }
    Ok(files)
}

/// A zip of `files`, deflated.
#[must_use]
pub fn zip(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    for (name, data) in files {
        if writer.start_file(name.as_str(), options).is_err() || writer.write_all(data).is_err() {
            break;
        }
    }
    writer.finish().map(Cursor::into_inner).unwrap_or_default()
}

/// A deploy's package, built from source.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Package {
    pub members: Members,
    /// `(zip path, bytes)`, `package.xml` first.
    pub files: Vec<(String, Vec<u8>)>,
    /// Consumer secrets the source holds.
    pub secrets: Vec<String>,
}

impl Package {
    /// The zip's paths.
    #[must_use]
    pub fn paths(&self) -> Vec<String> {
        self.files.iter().map(|(p, _)| p.clone()).collect()
    }
}

/// Converts the source at `path` (an app file or a directory) to a
/// Metadata API package with `package.xml` at its root.
///
/// # Errors
///
/// What reading the source refuses.
pub fn from_source(path: &Path, version: &str) -> Result<Package, SourceError> {
    let source = load(path)?;
    let mut package = Package::default();
    let mut files = Vec::new();
    let components = source
        .apps
        .iter()
        .flat_map(|a| a.components())
        .chain(source.oauth_settings.iter())
        .chain(&source.others);
    for component in components {
        package
            .members
            .entry(component.kind.name.to_owned())
            .or_default()
            .push(component.full_name.clone());
        package.secrets.extend(component.secrets());
        let text = std::fs::read(&component.path)
            .map_err(|e| SourceError::file(&component.path, e.to_string()))?;
        if component.kind.content {
            let content_path = component.path.trim_end_matches("-meta.xml");
            let content = std::fs::read(content_path)
                .map_err(|e| SourceError::file(content_path, e.to_string()))?;
            let zip_path = component.zip_path();
            files.push((format!("{zip_path}-meta.xml"), text));
            files.push((zip_path, content));
        } else {
            files.push((component.zip_path(), text));
        }
    }
    for names in package.members.values_mut() {
        names.sort();
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    package.files.push((
        "package.xml".into(),
        package_xml(&package.members, version).into_bytes(),
    ));
    package.files.extend(files);
    Ok(package)
}

/// The type and full name of a zip path (`connectedApps/X.connectedApp`,
/// with or without a leading `unpackaged/`).
#[must_use]
pub fn component_of(path: &str) -> Option<(&'static MetadataType, String)> {
    let mut parts = path.rsplitn(3, '/');
    let file = parts.next()?;
    let directory = parts.next()?;
    let file = file.strip_suffix("-meta.xml").unwrap_or(file);
    let (name, suffix) = file.rsplit_once('.')?;
    let kind = MetadataType::by_suffix(suffix).filter(|k| k.directory == directory)?;
    Some((kind, name.to_owned()))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::{component_of, from_source, read_package_xml, unzip, zip};

    #[test]
    fn the_example_project_becomes_a_package() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/sfdx-project");
        let package = from_source(&dir, "68.0").unwrap();
        assert_eq!(
            package.paths(),
            [
                "package.xml",
                "connectedApps/Billing_Portal.connectedApp",
                "externalClientApps/Partner_Api.eca",
                "extlClntAppGlobalOauthSets/Partner_Api_glbloauth.ecaGlblOauth",
                "extlClntAppOauthPolicies/Partner_Api_oauth_defaultPolicy.ecaOauthPlcy",
                "extlClntAppOauthSettings/Partner_Api_oauth.ecaOauth",
                "extlClntAppPolicies/Partner_Api_policies.ecaPlcy",
                "settings/OauthOidc.settings",
            ]
        );
        let xml = String::from_utf8(package.files[0].1.clone()).unwrap();
        let (members, version) = read_package_xml(&xml).unwrap();
        assert_eq!(version.as_deref(), Some("68.0"));
        assert_eq!(members["ConnectedApp"], ["Billing_Portal"]);
        assert_eq!(members["Settings"], ["OauthOidc"]);
        let bytes = zip(&package.files);
        let back = unzip(&bytes).unwrap();
        assert_eq!(back, package.files);
        let (kind, name) = component_of("unpackaged/externalClientApps/Partner_Api.eca").unwrap();
        assert_eq!(
            (kind.name, name.as_str()),
            ("ExternalClientApplication", "Partner_Api")
        );
        assert!(component_of("package.xml").is_none());
    }

    #[test]
    fn hostile_zips_are_refused() {
        assert!(unzip(b"not a zip").is_err());
        let evil = zip(&[("../x".into(), b"x".to_vec())]);
        assert!(unzip(&evil).unwrap_err().contains("unsafe path"));
    }
}
