//! Each sObject type's own fields, in Salesforce's describe order (the
//! shared system fields are added around them by `SObjectKind::fields`).

use super::fields::FieldType::{
    Boolean, Currency, Date, DateTime, Email, Int, Percent, Phone, TextArea, Url,
};
use super::fields::{
    FieldDef, defaulted, name_field, picklist, read_only, reference, required, text, typed,
};

const INDUSTRIES: &[&str] = &[
    "Agriculture",
    "Apparel",
    "Banking",
    "Biotechnology",
    "Chemicals",
    "Communications",
    "Construction",
    "Consulting",
    "Education",
    "Electronics",
    "Energy",
    "Engineering",
    "Entertainment",
    "Environmental",
    "Finance",
    "Food & Beverage",
    "Government",
    "Healthcare",
    "Hospitality",
    "Insurance",
    "Machinery",
    "Manufacturing",
    "Media",
    "Not For Profit",
    "Recreation",
    "Retail",
    "Shipping",
    "Technology",
    "Telecommunications",
    "Transportation",
    "Utilities",
    "Other",
];
const LEAD_SOURCES: &[&str] = &[
    "Web",
    "Phone Inquiry",
    "Partner Referral",
    "Purchased List",
    "Other",
];

pub(crate) const ACCOUNT: &[FieldDef] = &[
    name_field(required(text("Name", "Account Name", 255))),
    picklist(
        "Type",
        "Account Type",
        &[
            "Prospect",
            "Customer - Direct",
            "Customer - Channel",
            "Channel Partner / Reseller",
            "Installation Partner",
            "Technology Partner",
            "Other",
        ],
    ),
    reference(
        "ParentId",
        "Parent Account ID",
        "Account",
        "Parent",
        Some("ChildAccounts"),
    ),
    text("BillingStreet", "Billing Street", 255),
    text("BillingCity", "Billing City", 40),
    text("BillingState", "Billing State/Province", 80),
    text("BillingPostalCode", "Billing Zip/Postal Code", 20),
    text("BillingCountry", "Billing Country", 80),
    typed("Phone", "Account Phone", Phone),
    typed("Website", "Website", Url),
    picklist("Industry", "Industry", INDUSTRIES),
    typed("AnnualRevenue", "Annual Revenue", Currency),
    typed("NumberOfEmployees", "Employees", Int),
    typed("Description", "Account Description", TextArea),
];

pub(crate) const CONTACT: &[FieldDef] = &[
    reference(
        "AccountId",
        "Account ID",
        "Account",
        "Account",
        Some("Contacts"),
    ),
    required(text("LastName", "Last Name", 80)),
    text("FirstName", "First Name", 40),
    picklist(
        "Salutation",
        "Salutation",
        &["Mr.", "Ms.", "Mrs.", "Dr.", "Prof."],
    ),
    name_field(read_only(text("Name", "Full Name", 121))),
    text("MailingCity", "Mailing City", 40),
    text("MailingCountry", "Mailing Country", 80),
    typed("Phone", "Business Phone", Phone),
    typed("MobilePhone", "Mobile Phone", Phone),
    typed("Email", "Email", Email),
    text("Title", "Title", 128),
    text("Department", "Department", 80),
    picklist("LeadSource", "Lead Source", LEAD_SOURCES),
    typed("Birthdate", "Birthdate", Date),
    typed("Description", "Contact Description", TextArea),
];

const STAGES: &[&str] = &[
    "Prospecting",
    "Qualification",
    "Needs Analysis",
    "Value Proposition",
    "Id. Decision Makers",
    "Perception Analysis",
    "Proposal/Price Quote",
    "Negotiation/Review",
    "Closed Won",
    "Closed Lost",
];

pub(crate) const OPPORTUNITY: &[FieldDef] = &[
    reference(
        "AccountId",
        "Account ID",
        "Account",
        "Account",
        Some("Opportunities"),
    ),
    name_field(required(text("Name", "Name", 120))),
    typed("Description", "Description", TextArea),
    required(picklist("StageName", "Stage", STAGES)),
    typed("Amount", "Amount", Currency),
    typed("Probability", "Probability (%)", Percent),
    required(typed("CloseDate", "Close Date", Date)),
    picklist(
        "Type",
        "Opportunity Type",
        &[
            "Existing Customer - Upgrade",
            "Existing Customer - Replacement",
            "New Customer",
        ],
    ),
    text("NextStep", "Next Step", 255),
    picklist("LeadSource", "Lead Source", LEAD_SOURCES),
    read_only(defaulted(typed("IsClosed", "Closed", Boolean), "false")),
    read_only(defaulted(typed("IsWon", "Won", Boolean), "false")),
];

pub(crate) const LEAD: &[FieldDef] = &[
    required(text("LastName", "Last Name", 80)),
    text("FirstName", "First Name", 40),
    picklist(
        "Salutation",
        "Salutation",
        &["Mr.", "Ms.", "Mrs.", "Dr.", "Prof."],
    ),
    name_field(read_only(text("Name", "Full Name", 121))),
    text("Title", "Title", 128),
    required(text("Company", "Company", 255)),
    text("City", "City", 40),
    text("Country", "Country", 80),
    typed("Phone", "Phone", Phone),
    typed("Email", "Email", Email),
    typed("Website", "Website", Url),
    typed("Description", "Description", TextArea),
    picklist("LeadSource", "Lead Source", LEAD_SOURCES),
    defaulted(
        picklist(
            "Status",
            "Status",
            &[
                "Open - Not Contacted",
                "Working - Contacted",
                "Closed - Converted",
                "Closed - Not Converted",
            ],
        ),
        "Open - Not Contacted",
    ),
    picklist("Industry", "Industry", INDUSTRIES),
    typed("AnnualRevenue", "Annual Revenue", Currency),
    typed("NumberOfEmployees", "Employees", Int),
    read_only(defaulted(
        typed("IsConverted", "Converted", Boolean),
        "false",
    )),
];

pub(crate) const CASE: &[FieldDef] = &[
    name_field(read_only(FieldDef {
        defaulted: true,
        nillable: false,
        ..text("CaseNumber", "Case Number", 30)
    })),
    reference(
        "ContactId",
        "Contact ID",
        "Contact",
        "Contact",
        Some("Cases"),
    ),
    reference(
        "AccountId",
        "Account ID",
        "Account",
        "Account",
        Some("Cases"),
    ),
    text("SuppliedEmail", "Web Email", 80),
    picklist(
        "Type",
        "Case Type",
        &[
            "Mechanical",
            "Electrical",
            "Electronic",
            "Structural",
            "Other",
        ],
    ),
    defaulted(
        picklist(
            "Status",
            "Status",
            &["New", "Working", "Escalated", "Closed"],
        ),
        "New",
    ),
    picklist(
        "Reason",
        "Case Reason",
        &[
            "Installation",
            "Equipment Complexity",
            "Performance",
            "Breakdown",
            "Other",
        ],
    ),
    picklist("Origin", "Case Origin", &["Phone", "Email", "Web"]),
    text("Subject", "Subject", 255),
    defaulted(
        picklist("Priority", "Priority", &["High", "Medium", "Low"]),
        "Medium",
    ),
    typed("Description", "Description", TextArea),
    read_only(defaulted(typed("IsClosed", "Closed", Boolean), "false")),
    typed("ClosedDate", "Closed Date", DateTime),
];
