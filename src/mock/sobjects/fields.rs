//! Field definitions: the types, flags and builders every sObject's field
//! table uses, and the system fields that most sObjects share.

/// A field's data type, as `describe` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FieldType {
    Id,
    String,
    TextArea,
    Picklist,
    Phone,
    Url,
    Email,
    Currency,
    Int,
    Percent,
    Boolean,
    Date,
    DateTime,
    Reference,
}

impl FieldType {
    /// `type` in a field describe.
    pub(crate) fn name(self) -> &'static str {
        match self {
            FieldType::Id => "id",
            FieldType::String => "string",
            FieldType::TextArea => "textarea",
            FieldType::Picklist => "picklist",
            FieldType::Phone => "phone",
            FieldType::Url => "url",
            FieldType::Email => "email",
            FieldType::Currency => "currency",
            FieldType::Int => "int",
            FieldType::Percent => "percent",
            FieldType::Boolean => "boolean",
            FieldType::Date => "date",
            FieldType::DateTime => "datetime",
            FieldType::Reference => "reference",
        }
    }

    /// `soapType` in a field describe.
    pub(crate) fn soap_type(self) -> &'static str {
        match self {
            FieldType::Id | FieldType::Reference => "tns:ID",
            FieldType::Currency | FieldType::Percent => "xsd:double",
            FieldType::Int => "xsd:int",
            FieldType::Boolean => "xsd:boolean",
            FieldType::Date => "xsd:date",
            FieldType::DateTime => "xsd:dateTime",
            _ => "xsd:string",
        }
    }

    /// `type` of a `CustomField` in the Metadata API.
    pub(crate) fn metadata_type(self) -> &'static str {
        match self {
            FieldType::Id => "Id",
            FieldType::String => "Text",
            FieldType::TextArea => "TextArea",
            FieldType::Picklist => "Picklist",
            FieldType::Phone => "Phone",
            FieldType::Url => "Url",
            FieldType::Email => "Email",
            FieldType::Currency => "Currency",
            FieldType::Int => "Number",
            FieldType::Percent => "Percent",
            FieldType::Boolean => "Checkbox",
            FieldType::Date => "Date",
            FieldType::DateTime => "DateTime",
            FieldType::Reference => "Lookup",
        }
    }

    /// Text-like: compared as strings, ignoring case, in SOQL.
    pub(crate) fn is_text(self) -> bool {
        !matches!(
            self,
            FieldType::Currency
                | FieldType::Int
                | FieldType::Percent
                | FieldType::Boolean
                | FieldType::Date
                | FieldType::DateTime
        )
    }

    pub(crate) fn is_number(self) -> bool {
        matches!(
            self,
            FieldType::Currency | FieldType::Int | FieldType::Percent
        )
    }
}

/// One field of an sObject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FieldDef {
    pub(crate) name: &'static str,
    pub(crate) label: &'static str,
    pub(crate) kind: FieldType,
    /// Characters, for text types; 0 otherwise.
    pub(crate) length: u32,
    /// Digits and decimals, for numbers.
    pub(crate) precision: u32,
    pub(crate) scale: u32,
    pub(crate) nillable: bool,
    pub(crate) createable: bool,
    pub(crate) updateable: bool,
    /// The org fills it in when a create leaves it out.
    pub(crate) defaulted: bool,
    /// A value every new record gets unless the create sets one.
    pub(crate) default: Option<&'static str>,
    pub(crate) unique: bool,
    pub(crate) external_id: bool,
    pub(crate) name_field: bool,
    pub(crate) custom: bool,
    pub(crate) picklist: &'static [&'static str],
    pub(crate) reference_to: Option<&'static str>,
    /// `Owner` for `OwnerId`: the parent in SOQL paths.
    pub(crate) relationship: Option<&'static str>,
    /// The parent's name for its children through this field (`Contacts`).
    pub(crate) child_relationship: Option<&'static str>,
}

const BASE: FieldDef = FieldDef {
    name: "",
    label: "",
    kind: FieldType::String,
    length: 0,
    precision: 0,
    scale: 0,
    nillable: true,
    createable: true,
    updateable: true,
    defaulted: false,
    default: None,
    unique: false,
    external_id: false,
    name_field: false,
    custom: false,
    picklist: &[],
    reference_to: None,
    relationship: None,
    child_relationship: None,
};

impl FieldDef {
    /// Must be given on create, unless the org defaults it.
    pub(crate) fn required(&self) -> bool {
        !self.nillable && self.createable && !self.defaulted
    }

    /// Usable to find a record in `sobjects/{Type}/{field}/{value}`.
    pub(crate) fn id_lookup(&self) -> bool {
        self.kind == FieldType::Id || self.external_id || (self.unique && self.kind.is_text())
    }
}

/// A text field of `length` characters.
pub(crate) const fn text(name: &'static str, label: &'static str, length: u32) -> FieldDef {
    FieldDef {
        name,
        label,
        length,
        ..BASE
    }
}

/// A field of a type with a fixed size (phone, url, email, textarea, number…).
pub(crate) const fn typed(name: &'static str, label: &'static str, kind: FieldType) -> FieldDef {
    let (length, precision, scale) = match kind {
        FieldType::Id | FieldType::Reference => (18, 0, 0),
        FieldType::Phone => (40, 0, 0),
        FieldType::Url | FieldType::String => (255, 0, 0),
        FieldType::Email => (80, 0, 0),
        FieldType::TextArea => (32_000, 0, 0),
        FieldType::Currency => (0, 18, 2),
        FieldType::Percent => (0, 3, 0),
        FieldType::Int => (0, 8, 0),
        _ => (0, 0, 0),
    };
    FieldDef {
        name,
        label,
        kind,
        length,
        precision,
        scale,
        ..BASE
    }
}

/// A picklist; the first value is not implied as a default.
pub(crate) const fn picklist(
    name: &'static str,
    label: &'static str,
    values: &'static [&'static str],
) -> FieldDef {
    FieldDef {
        name,
        label,
        kind: FieldType::Picklist,
        length: 255,
        picklist: values,
        ..BASE
    }
}

/// A lookup to `to`, known as `relationship` from this side and as `children`
/// from the parent.
pub(crate) const fn reference(
    name: &'static str,
    label: &'static str,
    to: &'static str,
    relationship: &'static str,
    children: Option<&'static str>,
) -> FieldDef {
    FieldDef {
        name,
        label,
        kind: FieldType::Reference,
        length: 18,
        reference_to: Some(to),
        relationship: Some(relationship),
        child_relationship: children,
        ..BASE
    }
}

/// Not nillable and given on create.
pub(crate) const fn required(field: FieldDef) -> FieldDef {
    FieldDef {
        nillable: false,
        ..field
    }
}

/// Set by the org only.
pub(crate) const fn read_only(field: FieldDef) -> FieldDef {
    FieldDef {
        createable: false,
        updateable: false,
        ..field
    }
}

/// Filled in with `value` when a create leaves it out.
pub(crate) const fn defaulted(field: FieldDef, value: &'static str) -> FieldDef {
    FieldDef {
        nillable: false,
        defaulted: true,
        default: Some(value),
        ..field
    }
}

/// The record's name, shown as its label.
pub(crate) const fn name_field(field: FieldDef) -> FieldDef {
    FieldDef {
        name_field: true,
        ..field
    }
}
