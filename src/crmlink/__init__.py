"""crmlink: a self-hostable CRM records service that speaks Zoho CRM's REST API."""

__version__ = "0.1.0"
