// The multi-operation documents (multi/*.graphql, sent verbatim and through Apollo's
// transform) and the variables of each operation the runner sends. Operations
// listed under `unsent` are in the document but change data or need a socket.
export const multiDocuments = [
  {
    file: 'workspace.graphql',
    operations: {
      Home: {},
      HomeCompact: {},
      RequestPeek: { id: { ref: 'accountRequest' }, withPeople: true, hidePeople: false },
      Badge: {},
      HomeWithNotes: {},
    },
    extraCases: {
      'request-peek-hidden': {
        RequestPeek: { id: { ref: 'accountRequest' }, withPeople: false, hidePeople: true },
      },
    },
  },
  {
    file: 'merging.graphql',
    operations: {
      AccountMerged: { id: { ref: 'account' }, withContacts: true },
      RequestsTwice: { accountId: { ref: 'account' } },
      Unions: { id: { ref: 'accountRequest' } },
    },
    extraCases: {
      'merged-without-contacts': {
        AccountMerged: { id: { ref: 'account' }, withContacts: false },
        Unions: { id: { ref: 'accountRequest' }, withContacts: false },
      },
    },
  },
  {
    file: 'shared.graphql',
    operations: { OpenOnly: {}, OpenWithNotes: {}, OpenWithAccounts: {}, OpenAgain: {} },
  },
  {
    file: 'plain.graphql',
    operations: {
      Accounts: {},
      Requests: {},
      Counts: {},
      TwoLists: { statuses: ['OPEN', 'IN_PROGRESS'] },
      Settings: {},
    },
    extraCases: {
      'other-variables': {
        Requests: { first: 1 },
        Counts: { withStatuses: false },
        TwoLists: { statuses: null },
      },
    },
  },
  {
    file: 'mixed.graphql',
    operations: { InboxPeek: {}, SettingsPeek: {} },
    unsent: ['MarkAllRead', 'Live'],
  },
];
