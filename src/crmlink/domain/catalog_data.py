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


def _datetime(api: str, label: str, *, mandatory: bool = False, read_only: bool = False) -> FieldDef:
    return FieldDef(api, label, "datetime", mandatory=mandatory, length=120, read_only=read_only)


def _autonumber(api: str, label: str) -> FieldDef:
    # Assigned by the server on create (the record's id; see docs/schema.md), never by clients.
    return FieldDef(api, label, "autonumber", length=255, read_only=True)


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


def _lookup_list(api: str, field: str, *, module: str | None = None, label: str = "") -> RelatedListDef:
    return RelatedListDef(api, module or api, label or api, ListKind.LOOKUP, lookup_field=field)


def _activity_lists(field: str = "What_Id") -> tuple[RelatedListDef, ...]:
    """A record's Tasks, Events (Meetings) and Calls, through the activities' ``field``."""
    return (
        _lookup_list("Tasks", field),
        _lookup_list("Events", field, label="Meetings"),
        _lookup_list("Calls", field),
    )


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
        *_activity_lists(),
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
        _lookup("Vendor_Name", "Vendor Name", "Vendors"),
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
        _lookup_list("Cases", "Related_To"),
        _lookup_list("Quotes", "Contact_Name"),
        _lookup_list("SalesOrders", "Contact_Name", module="Sales_Orders", label="Sales Orders"),
        _lookup_list("PurchaseOrders", "Contact_Name", module="Purchase_Orders", label="Purchase Orders"),
        _lookup_list("Invoices", "Contact_Name"),
        *_activity_lists("Who_Id"),
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
        _lookup_list("Cases", "Account_Name"),
        _lookup_list("Quotes", "Account_Name"),
        _lookup_list("SalesOrders", "Account_Name", module="Sales_Orders", label="Sales Orders"),
        _lookup_list("Invoices", "Account_Name"),
        *_activity_lists(),
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
        _lookup_list("Quotes", "Deal_Name"),
        _lookup_list("SalesOrders", "Deal_Name", module="Sales_Orders", label="Sales Orders"),
        _lookup_list("Cases", "Deal_Name"),
        *_activity_lists(),
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
        *_activity_lists(),
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
        _lookup("Vendor_Name", "Vendor Name", "Vendors"),
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
        _lookup_list("Cases", "Product_Name"),
        _lookup_list("Solutions", "Product_Name"),
        *_activity_lists(),
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


# ------------------------------------------------------- activities: Tasks, Events, Calls
#
# What_Id is polymorphic like Notes.Parent_Id: data_type "lookup", lookup.module "se_module",
# the record's module named per record by "$se_module" (spec schema 1.3). Who_Id is a Contact.

TASK_STATUSES = ("Not Started", "Deferred", "In Progress", "Completed", "Waiting on someone else")

PRIORITIES = ("High", "Highest", "Low", "Lowest", "Normal")

CALL_TYPES = ("Inbound", "Outbound", "Missed")

CALL_PURPOSES = ("Prospecting", "Administrative", "Negotiation", "Demo", "Project", "Desk")

CALL_RESULTS = (
    "Interested",
    "Not interested",
    "No response/Busy",
    "Requested more info",
    "Requested call back",
    "Invalid number",
)

CALL_REMINDERS = ("None", "5 minutes before", "10 minutes before", "15 minutes before", "30 minutes before")


def _what_id() -> FieldDef:
    return FieldDef("What_Id", "Related To", "lookup", length=120, lookup_module=SE_MODULE)


def _who_id() -> FieldDef:
    return _lookup("Who_Id", "Contact Name", "Contacts")


TASKS = ModuleDef(
    api_name="Tasks",
    singular_label="Task",
    plural_label="Tasks",
    scope_name="tasks",
    display_field="Subject",
    sequence_number=9,
    fields=(
        _owner("Task Owner"),
        _text("Subject", "Subject", mandatory=True),
        _date("Due_Date", "Due Date"),
        _who_id(),
        _what_id(),
        _picklist("Status", "Status", TASK_STATUSES),
        _picklist("Priority", "Priority", PRIORITIES),
        _boolean("Send_Notification_Email", "Send Notification Email"),
        FieldDef("Remind_At", "Reminder", "ALARM", length=255),
        FieldDef("Recurring_Activity", "Repeat", "RRULE", length=255),
        _datetime("Closed_Time", "Closed Time", read_only=True),
        _description(),
    ),
    related_lists=(_notes_list(), _attachments_list()),
)

EVENTS = ModuleDef(
    api_name="Events",
    singular_label="Meeting",
    plural_label="Meetings",
    scope_name="events",
    display_field="Event_Title",
    sequence_number=10,
    module_name="Meetings",
    fields=(
        _owner("Host"),
        _text("Event_Title", "Title", mandatory=True),
        _text("Venue", "Location"),
        _boolean("All_day", "All day"),
        _datetime("Start_DateTime", "From", mandatory=True),
        _datetime("End_DateTime", "To", mandatory=True),
        _who_id(),
        _what_id(),
        FieldDef("Remind_At", "Reminder", "event_reminder", length=120),
        FieldDef("Recurring_Activity", "Repeat", "RRULE", length=255),
        _description(),
    ),
    related_lists=(_notes_list(), _attachments_list()),
)

CALLS = ModuleDef(
    api_name="Calls",
    singular_label="Call",
    plural_label="Calls",
    scope_name="calls",
    display_field="Subject",
    sequence_number=11,
    fields=(
        _owner("Call Owner"),
        _text("Subject", "Subject", mandatory=True),
        _picklist("Call_Type", "Call Type", CALL_TYPES, mandatory=True),
        _picklist("Call_Purpose", "Call Purpose", CALL_PURPOSES),
        _who_id(),
        _what_id(),
        _datetime("Call_Start_Time", "Call Start Time", mandatory=True),
        # Zoho marks Call_Duration system-mandatory, but only a completed (not future) call needs
        # it; the SDKs never require it client-side. The server enforces it (domain/activities).
        _text("Call_Duration", "Call Duration", 10),
        FieldDef(
            "Call_Duration_in_seconds", "Call Duration (in seconds)", "integer", length=9, read_only=True
        ),
        _text("Call_Agenda", "Call Agenda"),
        _picklist("Call_Result", "Call Result", CALL_RESULTS),
        _picklist("Reminder", "Reminder", CALL_REMINDERS),
        _text("Caller_ID", "Caller ID", 30),
        _phone("Dialled_Number", "Dialled Number"),
        _description(),
    ),
    related_lists=(_notes_list(), _attachments_list()),
)

# ------------------------------------------------------------ Vendors, Cases, Solutions

GL_ACCOUNTS = (
    "Sales-Software",
    "Sales-Hardware",
    "Rental-Income",
    "Interest-Income",
    "Sales Software Support",
    "Sales Other",
    "Interest Sales",
    "Service-Hardware Labor",
)

CASE_STATUSES = ("New", "Escalated", "On Hold", "Closed")
CASE_ORIGINS = ("Email", "Phone", "Web")
CASE_PRIORITIES = ("High", "Medium", "Low")
CASE_TYPES = ("Problem", "Feature Request", "Question")
CASE_REASONS = (
    "User did not attend any training",
    "Complex functionality",
    "Existing problem",
    "Instructions not understood",
    "New problem",
)
SOLUTION_STATUSES = ("Draft", "Reviewed", "Published")

VENDORS = ModuleDef(
    api_name="Vendors",
    singular_label="Vendor",
    plural_label="Vendors",
    scope_name="vendors",
    display_field="Vendor_Name",
    sequence_number=12,
    fields=(
        _owner("Vendor Owner"),
        _text("Vendor_Name", "Vendor Name", 120, mandatory=True),
        _email("Email", "Email"),
        _phone("Phone", "Phone"),
        _website(),
        _picklist("GL_Account", "GL Account", GL_ACCOUNTS),
        _text("Category", "Category", 40),
        *_address("", "Zip_Code", "Zip Code"),
        _description(),
    ),
    related_lists=(
        _notes_list(),
        _attachments_list(),
        _lookup_list("Products", "Vendor_Name"),
        _lookup_list("PurchaseOrders", "Vendor_Name", module="Purchase_Orders", label="Purchase Orders"),
        _lookup_list("Contacts", "Vendor_Name"),
        *_activity_lists(),
    ),
)

CASES = ModuleDef(
    api_name="Cases",
    singular_label="Case",
    plural_label="Cases",
    scope_name="cases",
    display_field="Subject",
    sequence_number=13,
    fields=(
        _owner("Case Owner"),
        _autonumber("Case_Number", "Case Number"),
        _text("Subject", "Subject", mandatory=True),
        _picklist("Status", "Status", CASE_STATUSES, mandatory=True),
        _picklist("Case_Origin", "Case Origin", CASE_ORIGINS, mandatory=True),
        _picklist("Priority", "Priority", CASE_PRIORITIES),
        _picklist("Type", "Type", CASE_TYPES),
        _picklist("Case_Reason", "Case Reason", CASE_REASONS),
        _lookup("Product_Name", "Product Name", "Products"),
        _lookup("Account_Name", "Account Name", "Accounts"),
        _lookup("Deal_Name", "Deal Name", "Deals"),
        _lookup("Related_To", "Related To", "Contacts"),
        _text("Reported_By", "Reported By", 120),
        _email("Email", "Email"),
        _phone("Phone", "Phone"),
        _boolean("Is_Record_Duplicate", "Is Record Duplicate"),
        _description(),
        _textarea("Internal_Comments", "Internal Comments"),
        _textarea("Solution", "Solution"),
        _textarea("Add_Comment", "Add Comment"),
        FieldDef("No_of_comments", "Number of comments", "integer", length=9, read_only=True),
    ),
    related_lists=(
        _notes_list(),
        _attachments_list(),
        _link("Solutions", "cases_solutions"),
        *_activity_lists(),
    ),
)

SOLUTIONS = ModuleDef(
    api_name="Solutions",
    singular_label="Solution",
    plural_label="Solutions",
    scope_name="solutions",
    display_field="Solution_Title",
    sequence_number=14,
    fields=(
        _owner("Solution Owner"),
        _autonumber("Solution_Number", "Solution Number"),
        _text("Solution_Title", "Solution Title", mandatory=True),
        _picklist("Status", "Status", SOLUTION_STATUSES),
        _lookup("Product_Name", "Product Name", "Products"),
        _boolean("Published", "Published"),
        _textarea("Question", "Question"),
        _textarea("Answer", "Answer"),
        _textarea("Add_Comment", "Add Comment"),
        FieldDef("No_of_comments", "Number of comments", "integer", length=9, read_only=True),
    ),
    related_lists=(
        _notes_list(),
        _attachments_list(),
        _link("Cases", "cases_solutions"),
    ),
)

# ----------------------------------- inventory: Quotes, Sales_Orders, Purchase_Orders, Invoices
#
# Line items are the v2.1 subform form (spec schema 1.5 (b), the official v2.1 SDK's only form):
# each module has a subform field (Quoted_Items, ...) whose rows are described by a subform
# module of its own. ``domain/line_items.py`` validates the rows and computes the totals; the
# v2 ``Product_Details`` form is accepted on input and stored as the same rows.

QUOTE_STAGES = ("Draft", "Negotiation", "Delivered", "On Hold", "Confirmed", "Closed Won", "Closed Lost")
CARRIERS = ("FedEX", "UPS", "USPS", "DHL", "BlueDart")
ORDER_STATUSES = ("Created", "Approved", "Delivered", "Cancelled")


def _line_item_module(api: str, module_name: str, label: str, parent: str) -> ModuleDef:
    return ModuleDef(
        api_name=api,
        singular_label=label,
        plural_label=label,
        scope_name=parent.replace("_", "").lower(),
        display_field="Product_Name",
        generated_type="subform",
        parent_module=parent,
        module_name=module_name,
        fields=(
            FieldDef(
                "Product_Name", "Product Name", "lookup", mandatory=True, length=120, lookup_module="Products"
            ),
            FieldDef("Quantity", "Quantity", "double", mandatory=True, length=16, decimal_place=2),
            _currency("List_Price", "List Price"),
            _currency("Discount", "Discount"),
            _currency("Total", "Total", read_only=True),
            _currency("Total_After_Discount", "Total After Discount", read_only=True),
            _currency("Tax", "Tax", read_only=True),
            _currency("Net_Total", "Net Total", read_only=True),
            _lookup("Price_Book_Name", "Price Book Name", "Price_Books"),
            FieldDef("Line_Tax", "Line Tax", "linetax", length=255),
            _textarea("Description", "Description", 2000),
        ),
    )


QUOTED_ITEMS = _line_item_module("Quoted_Items", "QuotedItems", "Quoted Items", "Quotes")
ORDERED_ITEMS = _line_item_module("Ordered_Items", "OrderedItems", "Ordered Items", "Sales_Orders")
PURCHASE_ITEMS = _line_item_module("Purchase_Items", "PurchaseItems", "Purchase Items", "Purchase_Orders")
INVOICED_ITEMS = _line_item_module("Invoiced_Items", "InvoicedItems", "Invoiced Items", "Invoices")


def _inventory_fields(
    number: FieldDef, specific: tuple[FieldDef, ...], items: ModuleDef
) -> tuple[FieldDef, ...]:
    return (
        _owner(f"{items.parent_module or ''} Owner".replace("_", " ")),
        _text("Subject", "Subject", mandatory=True),
        number,
        *specific,
        *_address("Billing_", "Billing_Code", "Billing Code", "Billing "),
        *_address("Shipping_", "Shipping_Code", "Shipping Code", "Shipping "),
        FieldDef(
            items.api_name,
            items.plural_label,
            "subform",
            mandatory=True,
            length=255,
            subform_module=items.api_name,
        ),
        _currency("Sub_Total", "Sub Total", read_only=True),
        _currency("Discount", "Discount"),
        _currency("Tax", "Tax", read_only=True),
        _currency("Adjustment", "Adjustment"),
        _currency("Grand_Total", "Grand Total", read_only=True),
        _textarea("Terms_and_Conditions", "Terms and Conditions"),
        _description(),
    )


def _inventory_lists(*extra: RelatedListDef) -> tuple[RelatedListDef, ...]:
    return (_notes_list(), _attachments_list(), *extra, *_activity_lists())


QUOTES = ModuleDef(
    api_name="Quotes",
    singular_label="Quote",
    plural_label="Quotes",
    scope_name="quotes",
    display_field="Subject",
    sequence_number=15,
    fields=_inventory_fields(
        _autonumber("Quote_Number", "Quote Number"),
        (
            _lookup("Deal_Name", "Deal Name", "Deals"),
            _lookup("Account_Name", "Account Name", "Accounts"),
            _lookup("Contact_Name", "Contact Name", "Contacts"),
            _picklist("Quote_Stage", "Quote Stage", QUOTE_STAGES),
            _date("Valid_Till", "Valid Till"),
            _text("Team", "Team", 40),
            _picklist("Carrier", "Carrier", CARRIERS),
        ),
        QUOTED_ITEMS,
    ),
    related_lists=_inventory_lists(
        _lookup_list("SalesOrders", "Quote_Name", module="Sales_Orders", label="Sales Orders"),
    ),
)

SALES_ORDERS = ModuleDef(
    api_name="Sales_Orders",
    singular_label="Sales Order",
    plural_label="Sales Orders",
    scope_name="salesorders",
    display_field="Subject",
    sequence_number=16,
    module_name="SalesOrders",
    fields=_inventory_fields(
        _autonumber("SO_Number", "SO Number"),
        (
            _lookup("Deal_Name", "Deal Name", "Deals"),
            _lookup("Quote_Name", "Quote Name", "Quotes"),
            _lookup("Account_Name", "Account Name", "Accounts"),
            _lookup("Contact_Name", "Contact Name", "Contacts"),
            _text("Customer_No", "Customer No", 40),
            _text("Purchase_Order", "Purchase Order", 40),
            _date("Due_Date", "Due Date"),
            _text("Pending", "Pending", 40),
            _picklist("Carrier", "Carrier", CARRIERS),
            _picklist("Status", "Status", ORDER_STATUSES),
            _currency("Excise_Duty", "Excise Duty"),
            _currency("Sales_Commission", "Sales Commission"),
        ),
        ORDERED_ITEMS,
    ),
    related_lists=_inventory_lists(_lookup_list("Invoices", "Sales_Order")),
)

PURCHASE_ORDERS = ModuleDef(
    api_name="Purchase_Orders",
    singular_label="Purchase Order",
    plural_label="Purchase Orders",
    scope_name="purchaseorders",
    display_field="Subject",
    sequence_number=17,
    module_name="PurchaseOrders",
    fields=_inventory_fields(
        _autonumber("PO_Number", "PO Number"),
        (
            FieldDef(
                "Vendor_Name", "Vendor Name", "lookup", mandatory=True, length=120, lookup_module="Vendors"
            ),
            _lookup("Contact_Name", "Contact Name", "Contacts"),
            _date("PO_Date", "PO Date"),
            _date("Due_Date", "Due Date"),
            _text("Requisition_No", "Requisition No", 40),
            _text("Tracking_Number", "Tracking Number", 40),
            _picklist("Carrier", "Carrier", CARRIERS),
            _picklist("Status", "Status", ORDER_STATUSES),
            _currency("Excise_Duty", "Excise Duty"),
            _currency("Sales_Commission", "Sales Commission"),
        ),
        PURCHASE_ITEMS,
    ),
    related_lists=_inventory_lists(),
)

INVOICES = ModuleDef(
    api_name="Invoices",
    singular_label="Invoice",
    plural_label="Invoices",
    scope_name="invoices",
    display_field="Subject",
    sequence_number=18,
    fields=_inventory_fields(
        _autonumber("Invoice_Number", "Invoice Number"),
        (
            _lookup("Sales_Order", "Sales Order", "Sales_Orders"),
            _lookup("Account_Name", "Account Name", "Accounts"),
            _lookup("Contact_Name", "Contact Name", "Contacts"),
            _date("Invoice_Date", "Invoice Date"),
            _date("Due_Date", "Due Date"),
            _text("Purchase_Order", "Purchase Order", 40),
            _picklist("Status", "Status", ORDER_STATUSES),
            _currency("Excise_Duty", "Excise Duty"),
            _currency("Sales_Commission", "Sales Commission"),
        ),
        INVOICED_ITEMS,
    ),
    related_lists=_inventory_lists(),
)

LINE_ITEM_MODULES = (QUOTED_ITEMS, ORDERED_ITEMS, PURCHASE_ITEMS, INVOICED_ITEMS)

MODULES = (
    LEADS,
    CONTACTS,
    ACCOUNTS,
    DEALS,
    CAMPAIGNS,
    PRODUCTS,
    PRICE_BOOKS,
    NOTES,
    TASKS,
    EVENTS,
    CALLS,
    VENDORS,
    CASES,
    SOLUTIONS,
    QUOTES,
    SALES_ORDERS,
    PURCHASE_ORDERS,
    INVOICES,
)

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
    # Cases - Solutions: Zoho's Cases show a Solutions list to which existing solutions are added
    # (and Solutions a Cases list); a link without relation data (spec schema 1.7: UNCONFIRMED,
    # decided in docs/schema.md).
    RelationDef("cases_solutions", "Cases", "Solutions"),
)

CATALOG: Catalog = Catalog(
    modules=MODULES,
    relations=RELATIONS,
    unsupported_modules=frozenset({"Documents", "Projects"}),
    subform_modules=LINE_ITEM_MODULES,
)
