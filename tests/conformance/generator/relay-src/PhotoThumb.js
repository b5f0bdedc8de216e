// A photo thumbnail.
import { graphql } from 'react-relay';

export const photo = graphql`
  fragment PhotoThumb_photo on Photo {
    status
    description
    displayInPortal
    thumbnailUrl
    url
    urlExpiresAt
    width
    height
  }
`;
