//! Finding apps in Salesforce DX source: a `*.connectedApp-meta.xml`, an
//! External Client App's `*.eca-meta.xml` with its settings and policy files
//! in the standard sibling folders, or a directory (an SFDX project, whose
//! `sfdx-project.json` names its package directories, or any folder) with
//! every app under it. A project's `settings/OauthOidc.settings-meta.xml`
//! comes along: it holds the org's OAuth switches.

use std::path::{Path, PathBuf};

use super::component::Component;
use super::error::SourceError;
use super::types::{MetadataType, Role, TYPES, source_file};

/// Largest metadata file read (real ones are a few kilobytes).
const MAX_FILE: u64 = 4 * 1024 * 1024;
/// Most files looked at under one directory.
const MAX_FILES: usize = 20_000;

/// What an app is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppKind {
    ConnectedApp,
    ExternalClientApp,
}

/// One app: a Connected App's file, or an External Client App's header and
/// the files that name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct App {
    /// The API name (the file's base name).
    pub name: String,
    pub kind: AppKind,
    /// The Connected App's file or the ECA's header.
    pub main: Component,
    /// An ECA's settings and policy files.
    pub parts: Vec<Component>,
}

impl App {
    /// The ECA file of this type, if the source has one.
    #[must_use]
    pub fn part(&self, type_name: &str) -> Option<&Component> {
        self.parts.iter().find(|c| c.kind.name == type_name)
    }

    /// The main file, then the parts.
    pub fn components(&self) -> impl Iterator<Item = &Component> {
        std::iter::once(&self.main).chain(&self.parts)
    }

    /// Consumer secrets written in the app's files.
    #[must_use]
    pub fn secrets(&self) -> Vec<String> {
        self.components().flat_map(Component::secrets).collect()
    }

    /// The label, or the name.
    #[must_use]
    pub fn label(&self) -> &str {
        self.main.text("label").unwrap_or(&self.name)
    }
}

/// The apps and the org settings found under a path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Source {
    pub apps: Vec<App>,
    /// `settings/OauthOidc.settings-meta.xml`.
    pub oauth_settings: Option<Component>,
    /// Every other metadata file of a known type (for a deploy).
    pub others: Vec<Component>,
}

impl Source {
    /// The app a scenario means: the only one, or the one called `name`.
    ///
    /// # Errors
    ///
    /// No app, several without a name, or no app of that name.
    pub fn pick(&self, shown: &str, name: Option<&str>) -> Result<&App, SourceError> {
        let names = || {
            self.apps
                .iter()
                .map(|a| format!("`{}`", a.name))
                .collect::<Vec<_>>()
                .join(", ")
        };
        match name {
            Some(name) => self.apps.iter().find(|a| a.name == name).ok_or_else(|| {
                SourceError::file(shown, format!("no app named `{name}` (found: {})", names()))
            }),
            None => match self.apps.as_slice() {
                [one] => Ok(one),
                [] => Err(SourceError::file(
                    shown,
                    "no app found: expected a *.connectedApp-meta.xml or *.eca-meta.xml file",
                )),
                _ => Err(SourceError::file(
                    shown,
                    format!(
                        "several apps found ({}): name one with `app: {{ source: …, name: … }}`",
                        names()
                    ),
                )),
            },
        }
    }
}

/// Reads the apps at `path`: an app file, or a directory of them.
///
/// # Errors
///
/// An unreadable path, a file that is no app, a malformed file, an ECA file
/// naming an app that is not there — with the file and the place.
pub fn load(path: &Path) -> Result<Source, SourceError> {
    let shown = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| SourceError::file(&shown, e.to_string()))?;
    if meta.is_dir() {
        let mut files = Vec::new();
        for root in package_directories(path)? {
            walk(&root, &mut files)?;
        }
        assemble(read_all(&files)?, &shown)
    } else {
        load_file(path)
    }
}

/// An app file, its ECA parts from the sibling folders, and the settings.
fn load_file(path: &Path) -> Result<Source, SourceError> {
    let shown = path.display().to_string();
    let file_name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let Some((_, kind)) =
        source_file(file_name).filter(|(_, k)| matches!(k.role, Role::ConnectedApp | Role::Eca))
    else {
        return Err(SourceError::file(
            &shown,
            "not an app: expected a *.connectedApp-meta.xml or *.eca-meta.xml file, or a directory",
        ));
    };
    let mut components = vec![read(path)?];
    // `…/default/externalClientApps/X.eca-meta.xml`: siblings under `…/default`.
    let base = path.parent().and_then(Path::parent).map(Path::to_path_buf);
    if let Some(base) = base {
        let mut files = Vec::new();
        if kind.role == Role::Eca {
            for part in TYPES.iter().filter(|t| t.role == Role::EcaPart) {
                list(&base.join(part.directory), part, &mut files)?;
            }
        }
        let settings = base.join("settings").join("OauthOidc.settings-meta.xml");
        if settings.is_file() {
            files.push(settings);
        }
        let name = components[0].full_name.clone();
        components.extend(
            read_all(&files)?
                .into_iter()
                .filter(|c| c.kind.role != Role::EcaPart || c.header() == Some(name.as_str())),
        );
    }
    assemble(components, &shown)
}

/// The `*.<suffix>-meta.xml` files of `kind` directly in `dir`.
fn list(dir: &Path, kind: &MetadataType, out: &mut Vec<PathBuf>) -> Result<(), SourceError> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    let mut found: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .and_then(source_file)
                .is_some_and(|(_, k)| k == kind)
        })
        .collect();
    found.sort();
    out.extend(found);
    Ok(())
}

/// The package directories of an SFDX project, or the directory itself.
fn package_directories(dir: &Path) -> Result<Vec<PathBuf>, SourceError> {
    let project = dir.join("sfdx-project.json");
    let Ok(text) = std::fs::read_to_string(&project) else {
        return Ok(vec![dir.to_path_buf()]);
    };
    let shown = project.display().to_string();
    let json: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        SourceError::at(
            &shown,
            crate::location::Location {
                line: e.line() as u64,
                column: e.column() as u64,
            },
            format!("invalid JSON: {e}"),
        )
    })?;
    let paths: Vec<PathBuf> = json["packageDirectories"]
        .as_array()
        .map(|dirs| {
            dirs.iter()
                .filter_map(|d| d["path"].as_str())
                .map(|p| dir.join(p))
                .collect()
        })
        .unwrap_or_default();
    if paths.is_empty() {
        return Err(SourceError::file(
            &shown,
            "`packageDirectories` names no directory",
        ));
    }
    Ok(paths)
}

/// Every metadata file of a known type under `dir`, sorted; hidden folders
/// and `node_modules` left out, symbolic links to folders not followed.
fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), SourceError> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| SourceError::file(&dir.display().to_string(), e.to_string()))?;
    let mut entries: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            if !name.starts_with('.') && name != "node_modules" {
                walk(&path, out)?;
            }
        } else if source_file(name).is_some() {
            if out.len() >= MAX_FILES {
                return Err(SourceError::file(
                    &dir.display().to_string(),
                    format!("more than {MAX_FILES} metadata files"),
                ));
            }
            out.push(path);
        }
    }
    Ok(())
}

fn read_all(files: &[PathBuf]) -> Result<Vec<Component>, SourceError> {
    files.iter().map(|f| read(f)).collect()
}

/// Reads one `*-meta.xml` file of a known type.
fn read(path: &Path) -> Result<Component, SourceError> {
    let shown = path.display().to_string();
    let file_name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let (full_name, kind) = source_file(file_name)
        .ok_or_else(|| SourceError::file(&shown, "not a metadata file of a known type"))?;
    let size = std::fs::metadata(path)
        .map_err(|e| SourceError::file(&shown, e.to_string()))?
        .len();
    if size > MAX_FILE {
        return Err(SourceError::file(
            &shown,
            format!("larger than {} MiB", MAX_FILE / 1024 / 1024),
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| SourceError::file(&shown, e.to_string()))?;
    let text = String::from_utf8(bytes).map_err(|_| SourceError::file(&shown, "not UTF-8 text"))?;
    Component::parse(kind, full_name, &shown, &text)
}

/// Groups components into apps: each ECA file joins the header it names.
pub(crate) fn assemble(components: Vec<Component>, shown: &str) -> Result<Source, SourceError> {
    let mut source = Source::default();
    let mut parts = Vec::new();
    for component in components {
        match component.kind.role {
            Role::ConnectedApp | Role::Eca => source.apps.push(App {
                name: component.full_name.clone(),
                kind: if component.kind.role == Role::Eca {
                    AppKind::ExternalClientApp
                } else {
                    AppKind::ConnectedApp
                },
                main: component,
                parts: Vec::new(),
            }),
            Role::EcaPart => parts.push(component),
            Role::Settings if component.is_oauth_settings() => {
                source.oauth_settings = Some(component);
            }
            Role::Settings | Role::Other => source.others.push(component),
        }
    }
    for part in parts {
        let at = part
            .root
            .child("externalClientApplication")
            .map_or(part.root.at, |e| e.at);
        let Some(header) = part.header().map(str::to_owned) else {
            return Err(SourceError::at(
                &part.path,
                part.root.at,
                format!("{} needs `externalClientApplication`", part.kind.name),
            ));
        };
        let app = source
            .apps
            .iter_mut()
            .find(|a| a.kind == AppKind::ExternalClientApp && a.name == header)
            .ok_or_else(|| {
                SourceError::at(
                    &part.path,
                    at,
                    format!("names the External Client App `{header}`, which is not in {shown}"),
                )
            })?;
        if app.part(part.kind.name).is_some() {
            return Err(SourceError::at(
                &part.path,
                at,
                format!("`{header}` has a second {}", part.kind.name),
            ));
        }
        app.parts.push(part);
    }
    Ok(source)
}

#[cfg(test)]
mod tests;
