// The variables the runner sends with each operation the Relay compiler generates,
// written symbolically: {ref: NAME} becomes the global ID the seed recorded as NAME.
// Every generated operation must have an entry here (generate.mjs checks), so a new
// Relay source cannot slip into the corpus without the values a screen would send.

const ACTIVE = ['OPEN', 'IN_PROGRESS', 'WAITING_ON_CUSTOMER'];

export const relayVariables = {
  DashboardScreenQuery: {
    filter: { statuses: ACTIVE, accountIds: [{ ref: 'account' }], includeSubAccounts: true },
    count: 10,
    cursor: null,
  },
  DashboardScreenPaginationQuery: {
    count: 3,
    cursor: { ref: 'accountRequestsCursor' },
    filter: null,
    orderBy: { field: 'UPDATED_AT', direction: 'DESC' },
  },
  AccountScreenQuery: { id: { ref: 'account' } },
  AccountScreenRefetchQuery: { id: { ref: 'subAccount' }, count: 5, cursor: null },
  RequestDetailScreenQuery: { id: { ref: 'accountRequest' }, kinds: null },
  RequestDetailScreenRefetchQuery: { id: { ref: 'accountRequest' } },
  RequestTimelinePaginationQuery: { id: { ref: 'accountRequest' }, count: 5, cursor: null },
  ReviewQueueScreenQuery: { filter: { statuses: ['PENDING', 'APPROVED', 'DECLINED'] } },
  ReviewQueueScreenPaginationQuery: {
    filter: { urgencies: ['URGENT'] },
    count: 5,
    cursor: null,
  },
  JobsScreenQuery: { filter: { statuses: ['READY_FOR_ASSIGNMENT', 'ASSIGNED'] } },
  JobsScreenPaginationQuery: { filter: null, count: 2, cursor: null },
  CreditScreenQuery: { accountId: { ref: 'account' } },
  CreditScreenAccountRefetchQuery: { id: { ref: 'account' } },
  InboxScreenQuery: { unreadOnly: false },
  InboxScreenPaginationQuery: { unreadOnly: true, count: 5, cursor: null },
  ViewerMenuQuery: {},
  SettingsScreenQuery: {},
  WebhooksScreenQuery: { filter: { endpointId: { ref: 'retryingWebhookEndpoint' } } },
  WebhooksScreenPaginationQuery: {
    filter: { endpointId: { ref: 'retryingWebhookEndpoint' }, status: 'SUCCEEDED' },
    count: 3,
    cursor: { ref: 'webhookDeliveriesCursor' },
  },
  WebhookEndpointCardRefetchQuery: { id: { ref: 'disabledWebhookEndpoint' } },
  WebhookDeliveryPanelQuery: { id: { ref: 'retryingWebhookDelivery' } },
  NodesScreenQuery: {
    ids: [
      { ref: 'accountRequest' },
      { ref: 'account' },
      { ref: 'otherAccount' },
      { ref: 'staffUser' },
      { ref: 'photo' },
      { ref: 'invoice' },
    ],
  },
};
