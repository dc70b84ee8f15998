# ruff: noqa
# mypy: ignore-errors
"""Zoho's Python SDK sample for related records (the seed page's Python snippet, with the lines
that page lost put back from Zoho's SDK samples), run against crmlink.

Only the SET-UP block differs from Zoho's sample: imports come from crmlink_client.compat and
Initializer.initialize takes a configured crmlink_client.Client.
"""

# ---------------------------------------------------------------- SET-UP (differs from Zoho)
from datetime import datetime

from crmlink_client.compat import (
    ActionWrapper,
    APIException,
    BodyWrapper,
    DelinkRecordsParam,
    GetRelatedRecordsHeader,
    GetRelatedRecordsParam,
    HeaderMap,
    Initializer,
    ParameterMap,
    Record,
    RelatedRecordsOperations,
    ResponseWrapper,
    SuccessResponse,
)


def set_up(client):
    Initializer.initialize(client)


# ---------------------------------------------------------------- Zoho's sample, unchanged


class RelatedRecord(object):
    @staticmethod
    def update_related_records(module_api_name, record_id, related_list_api_name):
        """
        This method is used to update the relation between the records and print the response.
        """

        # Get instance of RelatedRecordsOperations Class that takes moduleAPIName, recordId and relatedListAPIName as parameter
        related_records_operations = RelatedRecordsOperations(
            related_list_api_name, record_id, module_api_name
        )

        # Get instance of BodyWrapper Class that will contain the request body
        request = BodyWrapper()

        # List to hold Record instances
        records_list = []

        # Get instance of Record Class
        record_1 = Record()

        # Value to Record's fields can be set in the below ways

        # 1) Using setter method
        record_1.set_id(3409643000002414001)

        """
        Call add_key_value method that takes two arguments
        1 -> A string that is the Field's API Name
        2 -> Value
        """
        record_1.add_key_value("list_price", 50.56)

        # Add Record instance to the list
        records_list.append(record_1)

        # Get instance of Record Class
        record_2 = Record()

        # 2) Using add_key_value method
        record_2.add_key_value("id", 3409643000002414010)

        """
        Call add_key_value method that takes two arguments
        1 -> A string that is the Field's API Name
        2 -> Value
        """
        record_2.add_key_value("list_price", 100.56)

        # Add Record instance to the list
        records_list.append(record_2)

        # Set the list to Records in BodyWrapper instance
        request.set_data(records_list)

        # Call update_related_records method that takes BodyWrapper instance
        response = related_records_operations.update_related_records(request)

        RelatedRecord.print_action_response(response)

    @staticmethod
    def update_related_record(module_api_name, record_id, related_list_api_name, related_list_id):
        """
        This method is used to update the relation between the records and print the response.
        """

        # Get instance of RelatedRecordsOperations Class that takes moduleAPIName, recordId and relatedListAPIName as parameter
        related_records_operations = RelatedRecordsOperations(
            related_list_api_name, record_id, module_api_name
        )

        # Get instance of BodyWrapper Class that will contain the request body
        request = BodyWrapper()

        # List to hold Record instances
        records_list = []

        # Get instance of Record Class
        record = Record()

        """
        Call add_key_value method that takes two arguments
        1 -> A string that is the Field's API Name
        2 -> Value
        """
        record.add_key_value("list_price", 90.90)

        # Add Record instance to the list
        records_list.append(record)

        # Set the list to Records in BodyWrapper instance
        request.set_data(records_list)

        # Call updateRelatedRecord method that takes BodyWrapper instance, related_list_id as parameter.
        response = related_records_operations.update_related_record(related_list_id, request)

        RelatedRecord.print_action_response(response)

    @staticmethod
    def get_related_records(module_api_name, record_id, related_list_api_name):
        """
        This method is used to get the related list data of a particular module and print the response.
        """

        # Get instance of RelatedRecordsOperations Class that takes moduleAPIName, recordId and relatedListAPIName as parameter
        related_records_operations = RelatedRecordsOperations(
            related_list_api_name, record_id, module_api_name
        )

        # Get instance of ParameterMap Class
        param_instance = ParameterMap()

        # Possible parameters for Get Related Records operation
        param_instance.add(GetRelatedRecordsParam.page, 1)

        param_instance.add(GetRelatedRecordsParam.per_page, 2)

        # Get instance of HeaderMap Class
        header_instance = HeaderMap()

        # Possible headers for Get Related Records operation
        header_instance.add(
            GetRelatedRecordsHeader.if_modified_since,
            datetime.fromisoformat("2019-01-01T10:00:00+05:30"),
        )

        # Call get_related_records method that takes param_instance and header_instance as parameter
        response = related_records_operations.get_related_records(param_instance, header_instance)

        if response is not None:
            # Get the status code from response
            print("Status Code: " + str(response.get_status_code()))

            if response.get_status_code() in [204, 304]:
                print("No Content" if response.get_status_code() == 204 else "Not Modified")
                return

            # Get object from response
            response_object = response.get_object()

            if response_object is not None:
                # Check if expected ResponseWrapper instance is received.
                if isinstance(response_object, ResponseWrapper):
                    # Get the list of obtained Record instances
                    record_list = response_object.get_data()

                    for record in record_list:
                        # Get the ID of each Record
                        print("Record ID: " + str(record.get_id()))

                        # Get the createdBy User instance of each Record
                        created_by = record.get_created_by()

                        # Check if created_by is not None
                        if created_by is not None:
                            # Get the Name of the created_by User
                            print("Record Created By - Name: " + created_by.get_name())

                        # Get the CreatedTime of each Record
                        print("Record CreatedTime: " + str(record.get_created_time()))

                        print("Record KeyValues: ")

                        for key, value in record.get_key_values().items():
                            print(key + " : " + str(value))

                    # Get the Object obtained Info instance
                    info = response_object.get_info()

                    if info is not None:
                        if info.get_per_page() is not None:
                            # Get the PerPage of the Info
                            print("Record Info PerPage: " + str(info.get_per_page()))

                        if info.get_count() is not None:
                            # Get the Count of the Info
                            print("Record Info Count: " + str(info.get_count()))

                        if info.get_page() is not None:
                            # Get the Page of the Info
                            print("Record Info Page: " + str(info.get_page()))

                        if info.get_more_records() is not None:
                            # Get the MoreRecords of the Info
                            print("Record Info MoreRecords: " + str(info.get_more_records()))

                # Check if the request returned an exception
                elif isinstance(response_object, APIException):
                    RelatedRecord.print_exception(response_object)

    @staticmethod
    def delink_records(module_api_name, record_id, related_list_api_name, related_list_ids):
        """
        This method is used to delete the association between modules and print the response.
        """

        # Get instance of RelatedRecordsOperations Class that takes moduleAPIName, recordId and relatedListAPIName as parameter
        related_records_operations = RelatedRecordsOperations(
            related_list_api_name, record_id, module_api_name
        )

        # Get instance of ParameterMap Class
        param_instance = ParameterMap()

        for related_list_id in related_list_ids:
            param_instance.add(DelinkRecordsParam.ids, related_list_id)

        # Call delink_records method that takes param_instance instance as parameter
        response = related_records_operations.delink_records(param_instance)

        RelatedRecord.print_action_response(response)

    @staticmethod
    def delink_record(module_api_name, record_id, related_list_api_name, related_list_id):
        """
        This method is used to delete the association between modules and print the response.
        """

        # Get instance of RelatedRecordsOperations Class that takes moduleAPIName, recordId and relatedListAPIName as parameter
        related_records_operations = RelatedRecordsOperations(
            related_list_api_name, record_id, module_api_name
        )

        # Call delink_record method that takes related_list_id as parameter
        response = related_records_operations.delink_record(related_list_id)

        RelatedRecord.print_action_response(response)

    @staticmethod
    def print_action_response(response):
        if response is not None:
            # Get the status code from response
            print("Status Code: " + str(response.get_status_code()))

            # Get object from response
            response_object = response.get_object()

            if response_object is not None:
                # Check if expected ActionWrapper instance is received.
                if isinstance(response_object, ActionWrapper):
                    # Get the list of obtained ActionResponse instances
                    action_response_list = response_object.get_data()

                    for action_response in action_response_list:
                        # Check if the request is successful
                        if isinstance(action_response, SuccessResponse):
                            # Get the Status
                            print("Status: " + action_response.get_status().get_value())

                            # Get the Code
                            print("Code: " + action_response.get_code().get_value())

                            print("Details")

                            # Get the details dict
                            details = action_response.get_details()

                            for key, value in details.items():
                                print(key + " : " + str(value))

                            # Get the Message
                            print("Message: " + action_response.get_message().get_value())

                        # Check if the request returned an exception
                        elif isinstance(action_response, APIException):
                            RelatedRecord.print_exception(action_response)

                # Check if the request returned an exception
                elif isinstance(response_object, APIException):
                    RelatedRecord.print_exception(response_object)

    @staticmethod
    def print_exception(exception):
        # Get the Status
        print("Status: " + exception.get_status().get_value())

        # Get the Code
        print("Code: " + exception.get_code().get_value())

        print("Details")

        # Get the details dict
        details = exception.get_details()

        for key, value in details.items():
            print(key + " : " + str(value))

        # Get the Message
        print("Message: " + exception.get_message().get_value())
