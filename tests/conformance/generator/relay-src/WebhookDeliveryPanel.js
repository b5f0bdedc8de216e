// The panel a delivery row opens: node(id:) narrowed to a delivery by its fragment,
// with the body as sent and the endpoint's card.
import { graphql } from 'react-relay';

export const query = graphql`
  query WebhookDeliveryPanelQuery($id: ID!) {
    node(id: $id) {
      __typename
      ...WebhookDeliveryPanel_delivery @alias(as: "delivery")
    }
  }
`;

export const delivery = graphql`
  fragment WebhookDeliveryPanel_delivery on WebhookDelivery {
    eventId
    payload
    ...WebhooksScreen_delivery
    endpoint {
      ...WebhookEndpointCard_endpoint
    }
  }
`;
