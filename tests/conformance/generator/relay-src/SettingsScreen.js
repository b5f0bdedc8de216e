// Company settings, request types and teams (admins).
import { graphql } from 'react-relay';

export const query = graphql`
  query SettingsScreenQuery {
    companySettings {
      serviceRequestsEnabled
      managersMayCreateOnBehalf
      defaultSlaHours
      maxPhotoBytes
      allowedPhotoTypes
      maxPhotosPerRequest
      currency
      creditWarningPercent
      creditTeam {
        name
        leader {
          ...UserChip_user
        }
        members {
          ...UserChip_user
        }
      }
    }
    accountRequestTypes(includeInactive: true) {
      name
      description
      isActive
      portalAvailable
      defaultAssignee {
        ...UserChip_user
      }
    }
  }
`;
