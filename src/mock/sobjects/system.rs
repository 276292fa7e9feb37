//! The system fields most sObjects share: `Id`, `IsDeleted`, `OwnerId`, the
//! audit fields, and the custom `External_Id__c`.

use super::fields::FieldType::{Boolean, DateTime, Id};
use super::fields::{FieldDef, read_only, reference, text, typed};

pub(crate) const ID: FieldDef = FieldDef {
    nillable: false,
    defaulted: true,
    ..read_only(typed("Id", "Record ID", Id))
};
pub(crate) const IS_DELETED: FieldDef = FieldDef {
    nillable: false,
    defaulted: true,
    ..read_only(typed("IsDeleted", "Deleted", Boolean))
};
pub(crate) const OWNER_ID: FieldDef = FieldDef {
    nillable: false,
    defaulted: true,
    ..reference("OwnerId", "Owner ID", "User", "Owner", None)
};
/// `CreatedDate` … `SystemModstamp`, set by the org on every write.
pub(crate) const AUDIT: [FieldDef; 5] = [
    audit(typed("CreatedDate", "Created Date", DateTime)),
    audit(reference(
        "CreatedById",
        "Created By ID",
        "User",
        "CreatedBy",
        None,
    )),
    audit(typed("LastModifiedDate", "Last Modified Date", DateTime)),
    audit(reference(
        "LastModifiedById",
        "Last Modified By ID",
        "User",
        "LastModifiedBy",
        None,
    )),
    audit(typed("SystemModstamp", "System Modstamp", DateTime)),
];
/// The custom external id field every record type but User and Organization has.
pub(crate) const EXTERNAL_ID: FieldDef = FieldDef {
    unique: true,
    external_id: true,
    custom: true,
    ..text("External_Id__c", "External Id", 255)
};

const fn audit(field: FieldDef) -> FieldDef {
    FieldDef {
        nillable: false,
        defaulted: true,
        ..read_only(field)
    }
}
