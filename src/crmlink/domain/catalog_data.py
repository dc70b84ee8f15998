"""The module catalog as data: Zoho CRM's standard modules, relations and related lists.

Api names, labels, data types and picklist defaults follow Zoho's standard (un-customised) org.
Lengths follow Zoho where known (Last_Name 80, First_Name 40, Email 100, Phone 30, ...) and are
otherwise Zoho-like defaults; every field carries an integer ``length`` because Zoho always
sends one.

Rules kept here (spec zoho-crm-v2.1.md §6.2, official-sdks.md §4):

* ``mandatory`` is Zoho's ``system_mandatory`` and is set only where Zoho sets it: the old v2
  SDK refuses a create client-side when a system-mandatory field is missing. Price_Books'
  ``Pricing_Details`` (a subform we do not serve) is therefore left out entirely.
* ``Created_Time``, ``Modified_Time``, ``Created_By`` and ``Modified_By`` are not listed: the
  server adds them (``catalog.SYSTEM_FIELDS``).
* Products has no ``Tax`` field: the SDKs special-case it as a list of tax objects.
* Leads and Contacts show ``Full_Name`` as a lookup's ``name``; it is read-only and derived from
  First_Name and Last_Name by the server.
"""

from __future__ import annotations

from crmlink.domain.catalog import (
    SE_MODULE,
    Catalog,
    FieldDef,
    ListKind,
    ModuleDef,
    RelatedListDef,
    RelationDef,
)

__all__ = ["CATALOG"]

# --------------------------------------------------------------------------- field helpers

_TEXTAREA_LENGTH = 32000


def _text(
    api: str,
    label: str,
    length: int = 255,
    *,
    mandatory: bool = False,
    read_only: bool = False,
) -> FieldDef:
    return FieldDef(api, label, "text", mandatory=mandatory, length=length, read_only=read_only)


def _textarea(api: str, label: str, length: int = _TEXTAREA_LENGTH, *, mandatory: bool = False) -> FieldDef:
    return FieldDef(api, label, "textarea", mandatory=mandatory, length=length)


def _email(api: str, label: str) -> FieldDef:
    return FieldDef(api, label, "email", length=100)


def _phone(api: str, label: str) -> FieldDef:
    return FieldDef(api, label, "phone", length=30)


def _website(api: str = "Website", label: str = "Website") -> FieldDef:
    return FieldDef(api, label, "website", length=255)


def _picklist(api: str, label: str, values: tuple[str, ...], *, mandatory: bool = False) -> FieldDef:
    return FieldDef(api, label, "picklist", mandatory=mandatory, length=120, picklist=values)


def _lookup(api: str, label: str, module: str) -> FieldDef:
    return FieldDef(api, label, "lookup", length=120, lookup_module=module)


def _owner(label: str) -> FieldDef:
    return FieldDef("Owner", label, "ownerlookup", length=120)


def _integer(api: str, label: str) -> FieldDef:
    return FieldDef(api, label, "integer", length=9)


def _double(api: str, label: str) -> FieldDef:
    return FieldDef(api, label, "double", length=16, decimal_place=2)


def _currency(api: str, label: str, *, read_only: bool = False) -> FieldDef:
    return FieldDef(api, label, "currency", length=16, decimal_place=2, read_only=read_only)


def _boolean(api: str, label: str) -> FieldDef:
    return FieldDef(api, label, "boolean", length=5)


def _date(api: str, label: str) -> FieldDef:
    return FieldDef(api, label, "date", length=20)


def _address(prefix: str, zip_api: str, zip_label: str, label_prefix: str = "") -> tuple[FieldDef, ...]:
    """Street, City, State, zip and Country, e.g. ``Mailing_Street`` ... ``Mailing_Country``."""
    return (
        _text(f"{prefix}Street", f"{label_prefix}Street", 250),
        _text(f"{prefix}City", f"{label_prefix}City", 100),
        _text(f"{prefix}State", f"{label_prefix}State", 100),
        _text(zip_api, zip_label, 30),
        _text(f"{prefix}Country", f"{label_prefix}Country", 100),
    )


def _names(owner_label: str) -> tuple[FieldDef, ...]:
    """Owner and the person-name fields shared by Leads and Contacts."""
    return (
        _owner(owner_label),
        _picklist("Salutation", "Salutation", SALUTATIONS),
        _text("First_Name", "First Name", 40),
        _text("Last_Name", "Last Name", 80, mandatory=True),
        _text("Full_Name", "Full Name", read_only=True),
    )


def _description() -> FieldDef:
    return _textarea("Description", "Description")


# ------------------------------------------------------------------- related-list helpers


def _notes_list() -> RelatedListDef:
    return RelatedListDef("Notes", "Notes", "Notes", ListKind.LOOKUP, lookup_field="Parent_Id")


def _attachments_list() -> RelatedListDef:
    # Shown in metadata with href null; Attachments is not a catalog module, which is fine here.
    return RelatedListDef("Attachments", "Attachments", "Attachments", ListKind.UNSERVED)


def _link(api: str, relation: str, *, module: str | None = None, label: str = "") -> RelatedListDef:
    return RelatedListDef(
        api, module or api, label or api.replace("_", " "), ListKind.LINK, relation=relation
    )


def _lookup_list(api: str, field: str, *, module: str | None = None) -> RelatedListDef:
    return RelatedListDef(api, module or api, api, ListKind.LOOKUP, lookup_field=field)


# ------------------------------------------------------------------------ picklist values

SALUTATIONS = ("Mr.", "Mrs.", "Ms.", "Dr.", "Prof.")

LEAD_SOURCES = (
    "Advertisement",
    "Cold Call",
    "Employee Referral",
    "External Referral",
    "Online Store",
    "Partner",
    "Public Relations",
    "Sales Email Alias",
    "Seminar Partner",
    "Internal Seminar",
    "Trade Show",
    "Web Download",
    "Web Research",
    "Chat",
    "Twitter",
    "Facebook",
)

LEAD_STATUSES = (
    "Attempted to Contact",
    "Contact in Future",
    "Contacted",
    "Junk Lead",
    "Lost Lead",
    "Not Contacted",
    "Pre-Qualified",
    "Not Qualified",
)

INDUSTRIES = (
    "ASP (Application Service Provider)",
    "Data/Telecom OEM",
    "ERP (Enterprise Resource Planning)",
    "Government/Military",
    "Large Enterprise",
    "ManagementISV",
    "MSP (Management Service Provider)",
    "Network Equipment Enterprise",
    "Non-management ISV",
    "Optical Networking",
    "Service Provider",
    "Small/Medium Enterprise",
    "Storage Equipment",
    "Storage Service Provider",
    "Systems Integrator",
    "Wireless Industry",
)

RATINGS = ("Acquired", "Active", "Market Failed", "Project Cancelled", "Shut Down")

ACCOUNT_TYPES = (
    "Analyst",
    "Competitor",
    "Customer",
    "Distributor",
    "Integrator",
    "Investor",
    "Other",
    "Partner",
    "Press",
    "Prospect",
    "Reseller",
    "Supplier",
    "Vendor",
)

OWNERSHIPS = (
    "Other",
    "Private",
    "Public",
    "Subsidiary",
    "Partnership",
    "Government",
    "Privately Held",
    "Public Company",
)

DEAL_STAGES = (
    "Qualification",
    "Needs Analysis",
    "Value Proposition",
    "Id. Decision Makers",
    "Perception Analysis",
    "Proposal/Price Quote",
    "Negotiation/Review",
    "Closed Won",
    "Closed Lost",
    "Closed Lost to Competition",
)

DEAL_TYPES = ("Existing Business", "New Business")

PRODUCT_CATEGORIES = ("Hardware", "Software", "CRM Applications")

MANUFACTURERS = ("AltvetPet Inc.", "LexPro Distributors Inc.", "MetBeat Corp.")

USAGE_UNITS = (
    "Box",
    "Carton",
    "Dozen",
    "Each",
    "Hour(s)",
    "Impressions",
    "Lb",
    "M",
    "Pack",
    "Pages",
    "Pieces",
    "Quantity",
    "Reams",
    "Sheet",
    "Spiral Binder",
    "Sq Ft",
)

CAMPAIGN_TYPES = (
    "Advertisement",
    "Banner Ads",
    "Conference",
    "Direct mail",
    "Email",
    "Others",
    "Partner",
    "Public Relations",
    "Referral Program",
    "Telemarketing",
    "Trade Show",
    "Webinar",
)

CAMPAIGN_STATUSES = ("Planning", "Active", "Inactive", "Complete")

PRICING_MODELS = ("Flat", "Differential")

MEMBER_STATUSES = (
    "Planned",
    "Invited",
    "Sent",
    "Received",
    "Opened",
    "Responded",
    "Bounced",
    "Opted Out",
    "Active",
    "Planning",
)

# -------------------------------------------------------------------------------- modules

LEADS = ModuleDef(
    api_name="Leads",
    system_unique=("Email",),
    singular_label="Lead",
    plural_label="Leads",
    scope_name="leads",
    display_field="Full_Name",
    sequence_number=1,
    fields=(
        *_names("Lead Owner"),
        _text("Company", "Company", 200),
        _text("Designation", "Title", 100),
        _email("Email", "Email"),
        _email("Secondary_Email", "Secondary Email"),
        _phone("Phone", "Phone"),
        _phone("Mobile", "Mobile"),
        _phone("Fax", "Fax"),
        _website(),
        _picklist("Lead_Source", "Lead Source", LEAD_SOURCES),
        _picklist("Lead_Status", "Lead Status", LEAD_STATUSES),
        _picklist("Industry", "Industry", INDUSTRIES),
        _integer("No_of_Employees", "No. of Employees"),
        _currency("Annual_Revenue", "Annual Revenue"),
        _picklist("Rating", "Rating", RATINGS),
        _boolean("Email_Opt_Out", "Email Opt Out"),
        _text("Skype_ID", "Skype ID", 50),
        _text("Twitter", "Twitter", 50),
        *_address("", "Zip_Code", "Zip Code"),
        _description(),
    ),
    related_lists=(
        _notes_list(),
        _attachments_list(),
        _link("Products", "products_leads"),
        _link("Campaigns", "campaigns_leads"),
    ),
)

CONTACTS = ModuleDef(
    api_name="Contacts",
    system_unique=("Email",),
    singular_label="Contact",
    plural_label="Contacts",
    scope_name="contacts",
    display_field="Full_Name",
    sequence_number=2,
    fields=(
        *_names("Contact Owner"),
        _lookup("Account_Name", "Account Name", "Accounts"),
        _email("Email", "Email"),
        _email("Secondary_Email", "Secondary Email"),
        _phone("Phone", "Phone"),
        _phone("Other_Phone", "Other Phone"),
        _phone("Mobile", "Mobile"),
        _phone("Fax", "Fax"),
        _text("Title", "Title", 100),
        _text("Department", "Department", 30),
        _picklist("Lead_Source", "Lead Source", LEAD_SOURCES),
        _date("Date_of_Birth", "Date of Birth"),
        _lookup("Reporting_To", "Reporting To", "Contacts"),
        _text("Assistant", "Assistant", 30),
        _phone("Asst_Phone", "Asst Phone"),
        _boolean("Email_Opt_Out", "Email Opt Out"),
        _text("Skype_ID", "Skype ID", 50),
        _text("Twitter", "Twitter", 50),
        *_address("Mailing_", "Mailing_Zip", "Mailing Zip", "Mailing "),
        _description(),
    ),
    related_lists=(
        _notes_list(),
        _attachments_list(),
        _lookup_list("Deals", "Contact_Name"),
        _link("Products", "products_contacts"),
        _link("Campaigns", "campaigns_contacts"),
    ),
)

ACCOUNTS = ModuleDef(
    api_name="Accounts",
    system_unique=("Account_Name",),
    singular_label="Account",
    plural_label="Accounts",
    scope_name="accounts",
    display_field="Account_Name",
    sequence_number=3,
    fields=(
        _owner("Account Owner"),
        _text("Account_Name", "Account Name", 200, mandatory=True),
        _text("Account_Number", "Account Number", 40),
        _text("Account_Site", "Account Site", 30),
        _lookup("Parent_Account", "Parent Account", "Accounts"),
        _picklist("Account_Type", "Account Type", ACCOUNT_TYPES),
        _picklist("Industry", "Industry", INDUSTRIES),
        _currency("Annual_Revenue", "Annual Revenue"),
        _integer("Employees", "Employees"),
        _picklist("Ownership", "Ownership", OWNERSHIPS),
        _picklist("Rating", "Rating", RATINGS),
        _phone("Phone", "Phone"),
        _phone("Fax", "Fax"),
        _website(),
        _text("Ticker_Symbol", "Ticker Symbol", 30),
        _integer("SIC_Code", "SIC Code"),
        *_address("Billing_", "Billing_Code", "Billing Code", "Billing "),
        *_address("Shipping_", "Shipping_Code", "Shipping Code", "Shipping "),
        _description(),
    ),
    related_lists=(
        _notes_list(),
        _attachments_list(),
        _lookup_list("Contacts", "Account_Name"),
        _lookup_list("Deals", "Account_Name"),
        _link("Products", "products_accounts"),
    ),
)

DEALS = ModuleDef(
    api_name="Deals",
    system_unique=("Deal_Name",),
    singular_label="Deal",
    plural_label="Deals",
    scope_name="deals",
    display_field="Deal_Name",
    sequence_number=4,
    module_name="Potentials",
    fields=(
        _owner("Deal Owner"),
        _text("Deal_Name", "Deal Name", 120, mandatory=True),
        _lookup("Account_Name", "Account Name", "Accounts"),
        _lookup("Contact_Name", "Contact Name", "Contacts"),
        _currency("Amount", "Amount"),
        _date("Closing_Date", "Closing Date"),
        _picklist("Stage", "Stage", DEAL_STAGES, mandatory=True),
        _picklist("Type", "Type", DEAL_TYPES),
        FieldDef("Probability", "Probability (%)", "integer", length=3),
        _currency("Expected_Revenue", "Expected Revenue", read_only=True),
        _text("Next_Step", "Next Step", 100),
        _picklist("Lead_Source", "Lead Source", LEAD_SOURCES),
        _lookup("Campaign_Source", "Campaign Source", "Campaigns"),
        _description(),
    ),
    related_lists=(
        _notes_list(),
        _attachments_list(),
        _link("Products", "products_deals"),
        _link("Contact_Roles", "deals_contact_roles", module="Contacts"),
    ),
)

CAMPAIGNS = ModuleDef(
    api_name="Campaigns",
    system_unique=("Campaign_Name",),
    singular_label="Campaign",
    plural_label="Campaigns",
    scope_name="campaigns",
    display_field="Campaign_Name",
    sequence_number=5,
    fields=(
        _owner("Campaign Owner"),
        _text("Campaign_Name", "Campaign Name", 120, mandatory=True),
        _picklist("Type", "Type", CAMPAIGN_TYPES),
        _picklist("Status", "Status", CAMPAIGN_STATUSES),
        _date("Start_Date", "Start Date"),
        _date("End_Date", "End Date"),
        _currency("Expected_Revenue", "Expected Revenue"),
        _currency("Budgeted_Cost", "Budgeted Cost"),
        _currency("Actual_Cost", "Actual Cost"),
        _integer("Expected_Response", "Expected Response"),
        _integer("Num_sent", "Num sent"),
        _lookup("Parent_Campaign", "Parent Campaign", "Campaigns"),
        _description(),
    ),
    related_lists=(
        _notes_list(),
        _attachments_list(),
        _link("Leads", "campaigns_leads"),
        _link("Contacts", "campaigns_contacts"),
        _lookup_list("Deals", "Campaign_Source"),
    ),
)

PRODUCTS = ModuleDef(
    api_name="Products",
    system_unique=("Product_Name",),
    singular_label="Product",
    plural_label="Products",
    scope_name="products",
    display_field="Product_Name",
    sequence_number=6,
    fields=(
        _owner("Product Owner"),
        _text("Product_Name", "Product Name", 120, mandatory=True),
        _text("Product_Code", "Product Code", 40),
        _boolean("Product_Active", "Product Active"),
        _picklist("Product_Category", "Product Category", PRODUCT_CATEGORIES),
        _picklist("Manufacturer", "Manufacturer", MANUFACTURERS),
        _date("Sales_Start_Date", "Sales Start Date"),
        _date("Sales_End_Date", "Sales End Date"),
        _date("Support_Start_Date", "Support Start Date"),
        _date("Support_Expiry_Date", "Support Expiry Date"),
        _currency("Unit_Price", "Unit Price"),
        _currency("Commission_Rate", "Commission Rate"),
        _boolean("Taxable", "Taxable"),
        _picklist("Usage_Unit", "Usage Unit", USAGE_UNITS),
        _double("Qty_Ordered", "Qty Ordered"),
        _double("Qty_in_Stock", "Qty in Stock"),
        _double("Reorder_Level", "Reorder Level"),
        _double("Qty_in_Demand", "Qty in Demand"),
        _description(),
    ),
    related_lists=(
        _notes_list(),
        _attachments_list(),
        _link("Leads", "products_leads"),
        _link("Accounts", "products_accounts"),
        _link("Contacts", "products_contacts"),
        _link("Deals", "products_deals"),
        _link("Price_Books", "products_price_books"),
    ),
)

PRICE_BOOKS = ModuleDef(
    api_name="Price_Books",
    system_unique=("Price_Book_Name",),
    singular_label="Price Book",
    plural_label="Price Books",
    scope_name="pricebooks",
    display_field="Price_Book_Name",
    sequence_number=7,
    fields=(
        _owner("Price Book Owner"),
        _text("Price_Book_Name", "Price Book Name", 120, mandatory=True),
        _boolean("Active", "Active"),
        _picklist("Pricing_Model", "Pricing Model", PRICING_MODELS),
        _description(),
    ),
    related_lists=(
        _notes_list(),
        _attachments_list(),
        _link("Products", "products_price_books"),
    ),
)

NOTES = ModuleDef(
    api_name="Notes",
    singular_label="Note",
    plural_label="Notes",
    scope_name="notes",
    display_field="Note_Title",
    sequence_number=8,
    fields=(
        _owner("Note Owner"),
        _text("Note_Title", "Note Title", 120),
        _textarea("Note_Content", "Note Content", mandatory=True),
        # A note's parent can be a record of any module, named per record by "$se_module".
        # Zoho serves this as data_type "lookup" with lookup.module "se_module", and the official
        # SDKs special-case exactly that (Utility.set_data_type: Record type, no fields fetch
        # for the target). "multimodulelookup" would make the SDKs expect a *list* of Module
        # objects, and "text" would make them reject a Record value and stringify the
        # {"name","id"} object they receive.
        FieldDef("Parent_Id", "Parent ID", "lookup", length=120, lookup_module=SE_MODULE),
    ),
)

MODULES = (LEADS, CONTACTS, ACCOUNTS, DEALS, CAMPAIGNS, PRODUCTS, PRICE_BOOKS, NOTES)

# ------------------------------------------------------------------------------ relations

_MEMBER_STATUS = _picklist("Member_Status", "Member Status", MEMBER_STATUSES)

RELATIONS = (
    RelationDef("campaigns_leads", "Campaigns", "Leads", (_MEMBER_STATUS,)),
    RelationDef("campaigns_contacts", "Campaigns", "Contacts", (_MEMBER_STATUS,)),
    RelationDef("products_leads", "Products", "Leads"),
    RelationDef("products_accounts", "Products", "Accounts"),
    RelationDef("products_contacts", "Products", "Contacts"),
    RelationDef("products_deals", "Products", "Deals"),
    RelationDef(
        "products_price_books",
        "Products",
        "Price_Books",
        (FieldDef("list_price", "List Price", "double", length=16, decimal_place=2),),
    ),
    RelationDef(
        "deals_contact_roles",
        "Deals",
        "Contacts",
        (_text("Contact_Role", "Contact Role", 120),),
    ),
)

CATALOG: Catalog = Catalog(
    modules=MODULES,
    relations=RELATIONS,
    unsupported_modules=frozenset({"Documents", "Projects"}),
)
