# ruff: noqa
# The seed page's raw Python snippet (Update Related Records), exactly as the page has it except
# for lines marked "# restored": the page's text lost the closing braces of the dicts, the
# record_list.append(...) lines and the two calls at the bottom.
#
# The set-up values stay the page's own (host www.zohoapis.com, the sample ids, the sample
# token); test_seed_snippets.py replaces exactly those strings with a crmlink demo server's URL,
# demo ids and a real token before running this file, and changes nothing else.


def update_related_records():
    import requests
    import json

    url = 'https://www.zohoapis.com/crm/v2.1/Products/3409643000000798007/Price_Books'

    headers = {
        'Authorization': 'Zoho-oauthtoken 1000.04be928e4a96XXXXXXXXXXXXX68.0b9eXXXXXXXXXXXX60396e268',
    }  # restored

    request_body = dict()
    record_list = list()

    record_object_1 = {
        'id': '3409643000002414001',
        'list_price': 100.50
    }  # restored

    record_object_2 = {
        'id': '3409643000002414010',
        'list_price': 120.50
    }  # restored

    record_list.append(record_object_1)  # restored
    record_list.append(record_object_2)  # restored

    request_body['data'] = record_list

    response = requests.put(url=url, headers=headers, data=json.dumps(request_body).encode('utf-8'))

    if response is not None:
        print("HTTP Status Code : " + str(response.status_code))



def update_related_record():
    import requests
    import json

    url = 'https://www.zohoapis.com/crm/v2.1/Products/3409643000000798007/Price_Books/3409643000002414001'

    headers = {
        'Authorization': 'Zoho-oauthtoken 1000.04be928e4a96XXXXXXXXXXXXX68.0b9eXXXXXXXXXXXX60396e268',
    }  # restored

    request_body = dict()
    record_list = list()

    record_object = {
        'list_price': 100.50
    }  # restored

    record_list.append(record_object)  # restored

    request_body['data'] = record_list

    response = requests.put(url=url, headers=headers, data=json.dumps(request_body).encode('utf-8'))

    if response is not None:
        print("HTTP Status Code : " + str(response.status_code))


update_related_records()  # restored
update_related_record()  # restored
